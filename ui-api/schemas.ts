import { Schema } from "effect"
import { Materialization, Run, RunEvent } from "../runtime/events/records.js"
import { Cause } from "../runtime/status/Cause.js"

/** Response bodies: the OpenAPI document is generated from these, and the route tests decode responses with them. */

export const Freshness = Schema.Literal("MISSING", "STALE", "FRESH")
/** an asset's status as shown: FAILED when the latest attempt of one of its partitions failed after its latest success */
export const ShownStatus = Schema.Literal("FAILED", "MISSING", "STALE", "FRESH")
export const Counts = Schema.Struct({
  MISSING: Schema.Number,
  STALE: Schema.Number,
  FRESH: Schema.Number,
  RUNNING: Schema.optional(Schema.Number),
  FAILED: Schema.optional(Schema.Number)
})

export const CauseView = Schema.extend(Cause, Schema.Struct({ message: Schema.String })).annotations({ identifier: "Cause" })

export const PartitionStatusView = Schema.Struct({
  partition: Schema.NullOr(Schema.String),
  /** FAILED when the latest attempt failed after the latest success; else its freshness */
  status: ShownStatus,
  freshness: Freshness,
  causes: Schema.Array(CauseView),
  /** the current materialization of the partition */
  materialization: Schema.NullOr(
    Schema.Struct({ id: Schema.String, dataVersion: Schema.String, rowCount: Schema.Number, endedAt: Schema.String, runId: Schema.String })
  ),
  /** the failed attempt: its run and the whole error */
  failure: Schema.NullOr(Schema.Struct({ runId: Schema.String, at: Schema.String, message: Schema.String })),
  /** what the current materialization's side outputs hold: rows, top counts by a column (rejected lines by reason), a summary's rows */
  sideOutputs: Schema.Record({
    key: Schema.String,
    value: Schema.Struct({
      rows: Schema.Number,
      countBy: Schema.optional(Schema.Struct({ column: Schema.String, top: Schema.Record({ key: Schema.String, value: Schema.Number }) })),
      records: Schema.optional(Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
    })
  })
}).annotations({ identifier: "PartitionStatus" })

export const Health = Schema.Struct({ ok: Schema.Literal(true), project: Schema.String })

export const AssetSummary = Schema.Struct({
  key: Schema.String,
  kind: Schema.Literal("asset", "source"),
  group: Schema.String,
  description: Schema.String,
  partitioned: Schema.Boolean,
  status: ShownStatus,
  counts: Counts,
  inputs: Schema.Array(Schema.String)
}).annotations({ identifier: "AssetSummary" })

export const AssetList = Schema.Struct({ assets: Schema.Array(AssetSummary) })

const EdgeView = Schema.Struct({ asset: Schema.String, name: Schema.String, mapping: Schema.String })

export const ColumnView = Schema.Struct({ name: Schema.String, type: Schema.String, nullable: Schema.Boolean })

export const AssetDetail = Schema.Struct({
  key: Schema.String,
  kind: Schema.Literal("asset", "source"),
  group: Schema.String,
  description: Schema.String,
  zone: Schema.NullOr(Schema.String),
  format: Schema.String,
  codeVersion: Schema.NullOr(Schema.String),
  partitionsDefinition: Schema.NullOr(Schema.Struct({ kind: Schema.Literal("monthly"), start: Schema.String, end: Schema.NullOr(Schema.String) })),
  columns: Schema.Array(ColumnView),
  inputs: Schema.Array(EdgeView),
  outputs: Schema.Array(EdgeView),
  status: ShownStatus,
  /** the partitions that are not fresh, with their causes (the first 100) */
  notFresh: Schema.Array(PartitionStatusView),
  partitions: Schema.Struct({ count: Schema.Number, first: Schema.NullOr(Schema.String), last: Schema.NullOr(Schema.String), counts: Counts }),
  latestMaterialization: Schema.NullOr(Materialization)
}).annotations({ identifier: "AssetDetail" })

export const PartitionList = Schema.Struct({ asset: Schema.String, partitions: Schema.Array(PartitionStatusView) })

export const MaterializationPage = Schema.Struct({
  items: Schema.Array(Materialization),
  /** pass as `before` for the next page; null on the last page */
  nextCursor: Schema.NullOr(Schema.String)
})

export const MaterializationDetail = Schema.extend(
  Materialization,
  Schema.Struct({
    current: Schema.Boolean,
    /** the current materialization of the same asset partition */
    currentId: Schema.NullOr(Schema.String)
  })
)

export const LineageNode = Schema.Struct({
  id: Schema.String,
  kind: Schema.Literal("materialization", "observation"),
  asset: Schema.String,
  partition: Schema.NullOr(Schema.String),
  dataVersion: Schema.String,
  runId: Schema.NullOr(Schema.String),
  at: Schema.NullOr(Schema.String),
  rowCount: Schema.NullOr(Schema.Number),
  depth: Schema.Number
}).annotations({ identifier: "LineageNode" })

export const Lineage = Schema.Struct({
  root: Schema.String,
  direction: Schema.Literal("upstream", "downstream"),
  depth: Schema.Number,
  nodes: Schema.Array(LineageNode),
  /** `from` read `to` */
  edges: Schema.Array(Schema.Struct({ from: Schema.String, to: Schema.String }))
})

export const Graph = Schema.Struct({
  nodes: Schema.Array(
    Schema.Struct({
      key: Schema.String,
      kind: Schema.Literal("asset", "source"),
      group: Schema.String,
      description: Schema.String,
      partitioned: Schema.Boolean,
      /** longest path from a source: a column for drawing */
      level: Schema.Number
    })
  ),
  edges: Schema.Array(Schema.Struct({ from: Schema.String, to: Schema.String, name: Schema.String, mapping: Schema.String }))
})

export const RunPage = Schema.Struct({ items: Schema.Array(Run), nextCursor: Schema.NullOr(Schema.String) })

export const RunEvents = Schema.Struct({ items: Schema.Array(RunEvent), ended: Schema.Boolean })

export const StartRun = Schema.Struct({
  selection: Schema.String.annotations({ description: "key, +key (with upstream), key+ (with downstream), N+key, key+N, comma lists" }),
  partition: Schema.optional(Schema.String.annotations({ description: "one month, YYYY-MM" })),
  from: Schema.optional(Schema.String),
  to: Schema.optional(Schema.String),
  force: Schema.optional(Schema.Boolean),
  concurrency: Schema.optional(Schema.Int.pipe(Schema.between(1, 16)))
})

export const RunStarted = Schema.Struct({
  runId: Schema.String,
  links: Schema.Struct({ run: Schema.String, events: Schema.String, stream: Schema.String })
})

export const Preview = Schema.Struct({
  asset: Schema.String,
  partition: Schema.NullOr(Schema.String),
  materializationId: Schema.String,
  current: Schema.Boolean,
  currentId: Schema.NullOr(Schema.String),
  /** set when the rows are not those of the materialization asked for */
  note: Schema.NullOr(Schema.String),
  path: Schema.String,
  columns: Schema.Array(ColumnView),
  rows: Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  limit: Schema.Number
})

/** Query parameters */

export const Limit = (max: number, fallback: number) =>
  Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, max)), { default: () => fallback })

export const KeyParam = Schema.Struct({ key: Schema.String.annotations({ description: "asset key (a key with '/' is sent as %2F)" }) })
export const IdParam = Schema.Struct({ id: Schema.String })
export const PartitionQuery = Schema.optional(Schema.String.annotations({ description: "a month, YYYY-MM" }))
