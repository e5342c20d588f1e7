import { Schema } from "effect"
import { Materialization, Run, RunEvent } from "../runtime/events/records.js"
import { Cause } from "../runtime/status/Cause.js"
import { BackfillStatus, BackfillTask, TaskState } from "../runtime/backfill/records.js"

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
  /** where its staleness starts, walked through stale inputs, each once (GET of one partition only) */
  rootCauses: Schema.optional(
    Schema.Array(Schema.Struct({ asset: Schema.String, partition: Schema.NullOr(Schema.String), cause: CauseView, message: Schema.String }))
  ),
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

/** An asset's freshness policy now: overdue when it is not fresh and its newest data is older than maxLag. */
export const FreshnessPolicyView = Schema.Struct({
  maxLag: Schema.String,
  newestAt: Schema.NullOr(Schema.String),
  lagMs: Schema.NullOr(Schema.Number),
  overdue: Schema.Boolean
}).annotations({ identifier: "FreshnessPolicy" })

export const AssetSummary = Schema.Struct({
  key: Schema.String,
  kind: Schema.Literal("asset", "source"),
  group: Schema.String,
  description: Schema.String,
  partitioned: Schema.Boolean,
  status: ShownStatus,
  counts: Counts,
  inputs: Schema.Array(Schema.String),
  /** its freshness policy as it stands (assets that declare one) */
  freshnessPolicy: Schema.optional(FreshnessPolicyView)
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
  partitionsDefinition: Schema.NullOr(
    Schema.Struct({
      kind: Schema.Literal("hourly", "daily", "weekly", "monthly", "yearly", "static", "dynamic", "multi"),
      describe: Schema.String,
      /** the first and last key that exist now (null when none does) */
      first: Schema.NullOr(Schema.String),
      last: Schema.NullOr(Schema.String),
      count: Schema.Number,
      dimensions: Schema.NullOr(Schema.Array(Schema.Struct({ name: Schema.String, describe: Schema.String })))
    })
  ),
  columns: Schema.Array(ColumnView),
  inputs: Schema.Array(EdgeView),
  outputs: Schema.Array(EdgeView),
  status: ShownStatus,
  /** the partitions that are not fresh, with their causes (the first 100) */
  notFresh: Schema.Array(PartitionStatusView),
  partitions: Schema.Struct({ count: Schema.Number, first: Schema.NullOr(Schema.String), last: Schema.NullOr(Schema.String), counts: Counts }),
  latestMaterialization: Schema.NullOr(Materialization),
  /** its automation condition and freshness policy, when it declares them */
  automation: Schema.optional(Schema.String),
  freshnessPolicy: Schema.optional(FreshnessPolicyView)
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
  partition: Schema.optional(Schema.String.annotations({ description: "one partition key: 2023-08, 2023-08-14, europe, 2023-08|europe" })),
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
export const PartitionQuery = Schema.optional(Schema.String.annotations({ description: "a partition key: 2023-08, 2023-08-14, europe, 2023-08|europe" }))

/** The web page's reads: runs with their steps, backfills, an asset's partitions as a health bar, what changes live. */

export const RunStep = Schema.Struct({
  asset: Schema.String,
  partition: Schema.NullOr(Schema.String),
  state: Schema.Literal("running", "succeeded", "failed", "fresh", "abandoned", "canceled"),
  startedAt: Schema.NullOr(Schema.String),
  endedAt: Schema.NullOr(Schema.String),
  durationMs: Schema.NullOr(Schema.Number),
  /** rows written, for a step that succeeded */
  rows: Schema.NullOr(Schema.Number),
  /** how it ended: a failed step's whole error */
  message: Schema.String
}).annotations({ identifier: "RunStep" })

export const RunDetail = Schema.extend(
  Run,
  Schema.Struct({ durationMs: Schema.NullOr(Schema.Number), steps: Schema.Array(RunStep) })
).annotations({ identifier: "RunDetail" })

export const RunKind = Schema.Literal("materialize", "backfill", "report")

export const TaskCounts = Schema.Struct({
  pending: Schema.Number,
  running: Schema.Number,
  succeeded: Schema.Number,
  skipped: Schema.Number,
  failed: Schema.Number,
  abandoned: Schema.Number
}).annotations({ identifier: "TaskCounts" })

export const BackfillView = Schema.Struct({
  id: Schema.String,
  selection: Schema.String,
  from: Schema.String,
  to: Schema.String,
  force: Schema.Boolean,
  /** as a reader should see it: RUNNING only while a worker beats for it, QUEUED before any took it, else ABANDONED */
  status: Schema.Literal("RUNNING", "COMPLETED", "FAILED", "CANCELED", "QUEUED", "ABANDONED"),
  stored: BackfillStatus,
  createdAt: Schema.String,
  updatedAt: Schema.String,
  heartbeatAt: Schema.NullOr(Schema.Number),
  counts: TaskCounts,
  total: Schema.Number,
  /** what a person can do about it now, or "" */
  hint: Schema.String
}).annotations({ identifier: "Backfill" })

export const BackfillList = Schema.Struct({ items: Schema.Array(BackfillView) })

export const BackfillDetail = Schema.extend(
  BackfillView,
  Schema.Struct({
    byAsset: Schema.Array(Schema.Struct({ asset: Schema.String, counts: TaskCounts, total: Schema.Number })),
    /** tasks finished per minute since the first one started; null before any finished */
    ratePerMinute: Schema.NullOr(Schema.Number),
    /** seconds left at that rate while it runs */
    etaSeconds: Schema.NullOr(Schema.Number),
    startedAt: Schema.NullOr(Schema.String),
    endedAt: Schema.NullOr(Schema.String)
  })
).annotations({ identifier: "BackfillDetail" })

export const BackfillTaskPage = Schema.Struct({
  items: Schema.Array(BackfillTask),
  total: Schema.Number,
  offset: Schema.Number,
  /** pass as `offset` for the next page; null on the last page */
  nextOffset: Schema.NullOr(Schema.Number)
})

export const BackfillGrid = Schema.Struct({
  /** partitions in the backfill's order, one column each or, past `columns`, a run of them per column */
  columns: Schema.Array(Schema.Struct({ from: Schema.NullOr(Schema.String), to: Schema.NullOr(Schema.String), partitions: Schema.Number })),
  rows: Schema.Array(
    Schema.Struct({
      asset: Schema.String,
      /** per column: the most telling state of its tasks (running, failed, abandoned, pending, skipped, succeeded), null when none */
      cells: Schema.Array(Schema.Struct({ state: Schema.NullOr(TaskState), done: Schema.Number, total: Schema.Number }))
    })
  )
})

export const BackfillStarted = Schema.Struct({
  backfillId: Schema.String,
  tasks: Schema.Number,
  /** asset partitions left out as fresh */
  fresh: Schema.Number,
  notes: Schema.Array(Schema.String),
  links: Schema.Struct({ backfill: Schema.String, tasks: Schema.String, stream: Schema.String })
})

export const StartBackfill = Schema.Struct({
  selection: StartRun.fields.selection,
  partition: StartRun.fields.partition,
  from: StartRun.fields.from,
  to: StartRun.fields.to,
  force: StartRun.fields.force,
  concurrency: StartRun.fields.concurrency
})

/** what a partition shows: its status, or RUNNING while a runner holds it */
export const HealthStatus = Schema.Literal("RUNNING", "FAILED", "MISSING", "STALE", "FRESH")

export const PartitionHealth = Schema.Struct({
  asset: Schema.String,
  /** partitions of the asset with data (or materialized), in order */
  total: Schema.Number,
  counts: Counts,
  range: Schema.Struct({ from: Schema.NullOr(Schema.String), to: Schema.NullOr(Schema.String), offset: Schema.Number, count: Schema.Number }),
  /** the range cut into at most `buckets` runs of partitions, each with its counts and the worst status in it */
  buckets: Schema.Array(
    Schema.Struct({ from: Schema.String, to: Schema.String, partitions: Schema.Number, status: HealthStatus, counts: Counts })
  )
}).annotations({ identifier: "PartitionHealth" })

export const CausePage = Schema.Struct({
  asset: Schema.String,
  /** partitions that are not fresh, failed or running */
  total: Schema.Number,
  offset: Schema.Number,
  nextOffset: Schema.NullOr(Schema.Number),
  items: Schema.Array(Schema.extend(PartitionStatusView, Schema.Struct({ running: Schema.Boolean })))
})

export const SelectionResult = Schema.Struct({ selection: Schema.String, keys: Schema.Array(Schema.String) })

export const LiveState = Schema.Struct({
  /** moves whenever anything is materialized */
  version: Schema.NullOr(Schema.String),
  /** runs whose process is alive */
  runs: Schema.Array(Schema.Struct({ id: Schema.String, kind: RunKind, selection: Schema.String, startedAt: Schema.String })),
  /** asset partitions a runner holds now */
  running: Schema.Array(Schema.Struct({ asset: Schema.String, partition: Schema.NullOr(Schema.String) })),
  backfills: Schema.Array(Schema.Struct({ id: Schema.String, status: Schema.String, done: Schema.Number, total: Schema.Number }))
}).annotations({ identifier: "LiveState" })
