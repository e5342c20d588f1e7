import { Effect } from "effect"
import { outputPath, sideOutputPath, type AssetDef, type InputFiles, type SideOutput, type SqlContext } from "../asset/Asset.js"
import { shortHash } from "../asset/codeVersion.js"
import { columnsOf } from "../asset/columns.js"
import { dataVersionProblem, MAX_DATA_VERSION } from "../asset/versionLimits.js"
import { checkBeforePublish } from "../checks/gate.js"
import { scannedCounts } from "../checks/runChecks.js"
import type { CheckResult } from "../checks/CheckResult.js"
import { Engine } from "../engine/Engine.js"
import { EventStore } from "../events/EventStore.js"
import { newId } from "../events/ids.js"
import type { Materialization, NewRunEvent } from "../events/records.js"
import type { AssetGraph } from "../graph/AssetGraph.js"
import { Lake } from "../lake/Lake.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import type { CurrentInput } from "../status/StatusResolver.js"
import { MaterializeError, OutputContractError } from "./errors.js"
import { crashPoint } from "./crashPoint.js"
import { publish } from "./outputs.js"
import { materializeView, viewOf } from "./materializeView.js"

/**
 * Materializes one asset partition: reads the current inputs (each at the version its record names), writes to
 * staging, checks the output against the asset's Schema, persists it as a version of its own, records the
 * materialization with its provenance (the commit point), and then publishes it to the stable path. A crash before
 * the record leaves the old record and what the stable path shows untouched; a crash after it leaves a record whose
 * publishing the next run redoes. The three last steps are not interrupted, so a signal never splits them.
 * Untraced: it runs for every task, and a span with its stack trace is a measurable part of a no-op task
 * (bench/runtime.ts).
 */
export const materializePartition = Effect.fnUntraced(function* (args: {
  readonly graph: AssetGraph
  readonly asset: AssetDef<any, any>
  readonly partition: PartitionKey | null
  readonly runId: string
  readonly inputs: ReadonlyArray<CurrentInput>
  /** run events recorded with the materialization, in its transaction (the step's start and success) */
  readonly reportedBy?: (m: Materialization) => Effect.Effect<ReadonlyArray<NewRunEvent>>
  /** told once the record committed (the events `reportedBy` gave are stored) */
  readonly recorded?: Effect.Effect<void>
  /** told once the lake shows the record, to say so in the store; without it the store is told at once */
  readonly published?: (m: Materialization) => Effect.Effect<void>
  /** told the results of the asset's checks, passed or not, once they are recorded */
  readonly onChecks?: (results: ReadonlyArray<CheckResult>) => Effect.Effect<void>
}) {
  const { asset, partition, runId, graph } = args
  const engine = yield* Engine
  const lake = yield* Lake
  const store = yield* EventStore
  const startedAt = new Date().toISOString()
  const id = newId("m")
  const fail = (message: string, cause?: unknown) => new MaterializeError({ asset: asset.key, partition, message, cause })

  const missing = args.inputs.filter((i) => i.dataVersion === undefined)
  if (missing.length > 0) {
    return yield* fail(`inputs not materialized: ${missing.map((i) => `${i.edge.upstream}${i.partition ? `[${i.partition}]` : ""}`).join(", ")}`)
  }
  // a view writes no output: the engine creates it (materializeView.ts)
  if (asset.materialization === "view") {
    return yield* materializeView({
      graph,
      asset,
      runId,
      id,
      inputs: args.inputs,
      ...(args.reportedBy ? { reportedBy: args.reportedBy } : {}),
      ...(args.recorded ? { recorded: args.recorded } : {})
    })
  }

  const files: Record<string, { format: InputFiles["format"]; paths: Array<string>; locations: Array<string>; columns: InputFiles["columns"]; view?: InputFiles["view"] }> = {}
  for (const edge of graph.inputs(asset.key)) {
    const up = graph.get(edge.upstream)
    files[edge.name] = { format: up.format, paths: [], locations: [], columns: up._tag === "Asset" ? up.columns : undefined }
  }
  for (const input of args.inputs) {
    const up = graph.get(input.edge.upstream)
    const entry = files[input.edge.name]!
    if (up._tag === "Asset" && up.materialization === "view") {
      // read as the view was created (its recorded SQL), not as files
      entry.view = viewOf(input.producerId === null ? undefined : yield* store.materialization(input.producerId))
    } else if (up._tag === "Asset") {
      const path = outputPath(up, input.partition ?? undefined)
      entry.paths.push(path)
      entry.locations.push(input.location ?? path)
    } else if (up.prefix !== undefined) {
      const listed = yield* lake.list(up.prefix(input.partition ?? undefined))
      for (const o of listed) {
        entry.paths.push(o.path)
        entry.locations.push(o.path)
      }
    }
  }

  const target = outputPath(asset, partition ?? undefined)
  const staged = lake.stagingPath(runId, target)
  const sqlContext = (): SqlContext => ({
    inputs: Object.fromEntries(Object.entries(files).map(([name, f]) => [name, engine.relation(f)])),
    partition: partition ?? undefined,
    window: partition === null ? undefined : asset.partitions?.window(partition),
    dimensions: partition === null ? undefined : asset.partitions?.dimensions(partition)
  })

  // what the engine reports about its queries (e.g. Athena query ids, bytes scanned, cost) is kept with the record
  const engineMetadata: Record<string, unknown> = {}
  // a logical version the compute gave (e.g. the newest event time it read) stands for the output's content hash
  let userDataVersion: string | undefined
  if (asset.compute._tag === "Sql") {
    Object.assign(engineMetadata, yield* engine.write(asset.compute.sql(sqlContext()), staged, asset.format))
  } else {
    const result = yield* asset.compute
      .run({
        key: asset.key,
        partition: partition ?? undefined,
        window: partition === null ? undefined : asset.partitions?.window(partition),
        dimensions: partition === null ? undefined : asset.partitions?.dimensions(partition),
        inputs: files,
        outputPath: staged,
        format: asset.format
      })
      .pipe(Effect.mapError((cause) => fail(`compute failed: ${messageOf(cause)}`, cause)))
    if (result !== undefined && result !== null && typeof result.dataVersion === "string") {
      if (dataVersionProblem(result.dataVersion) !== undefined) {
        return yield* fail(`the compute returned data version '${result.dataVersion.slice(0, 80)}': give 1 to ${MAX_DATA_VERSION} characters`)
      }
      userDataVersion = result.dataVersion
    }
  }

  // the asset checks' counts ride along in the same scan of the output
  const { stats, problems, counts } = yield* engine.check(staged, asset.format, asset.columns, scannedCounts(asset))
  if (problems.length > 0) {
    return yield* new OutputContractError({ asset: asset.key, partition, problems })
  }

  const metadata: Record<string, unknown> = {}
  const moves: Array<{ readonly from: string; readonly to: string }> = [{ from: staged, to: target }]
  for (const [name, side] of Object.entries(asset.sideOutputs)) {
    const sideTarget = sideOutputPath(asset, partition ?? undefined, name)
    const sideStaged = lake.stagingPath(runId, sideTarget)
    for (const [k, v] of Object.entries(yield* engine.write(side.sql(sqlContext()), sideStaged, "parquet"))) engineMetadata[`${name}_${k}`] = v
    metadata[`${name}_rows`] = (yield* engine.inspect(sideStaged, "parquet")).rows
    metadata[`${name}_path`] = sideTarget
    Object.assign(metadata, yield* sideSummary(name, side, sideStaged))
    moves.push({ from: sideStaged, to: sideTarget })
  }

  // the asset's checks over this partition's staged outputs: a failed blocking one stops here, nothing persisted
  if (asset.checks.length > 0) {
    yield* checkBeforePublish(
      { asset, partition, materializationId: id, runId, output: staged, rowCount: stats.rows, metadata, inputs: checkedInputs(asset, files), window: partition === null ? undefined : asset.partitions?.window(partition), counted: counts },
      args.onChecks
    )
  }

  const commit = Effect.gen(function* () {
    const versions = yield* lake.persist(id, moves)
    yield* crashPoint("after-persist")
    const materialization: Materialization = {
      id,
      runId,
      asset: asset.key,
      partition,
      codeVersion: asset.codeVersion,
      dataVersion: userDataVersion ?? shortHash(stats.contentHash, String(stats.rows)),
      rowCount: stats.rows,
      metadata: { ...engineMetadata, ...metadata, path: target, location: versions[0]!.location, outputs: versions },
      startedAt,
      endedAt: new Date().toISOString(),
      inputs: args.inputs.map((i) => ({
        asset: i.edge.upstream,
        partition: i.partition,
        dataVersion: i.dataVersion!,
        producerId: i.producerId
      }))
    }
    const events = args.reportedBy ? yield* args.reportedBy(materialization) : []
    yield* store.recordMaterialization(materialization, events).pipe(
      Effect.tapError(() => lake.discard(versions).pipe(Effect.ignore)),
      Effect.mapError((cause) =>
        fail(`${cause.message}; the new output was not published: what was current before stays current`, cause)
      )
    )
    if (args.recorded) yield* args.recorded
    yield* crashPoint("after-record")
    yield* publish(materialization, args.published).pipe(
      Effect.mapError((cause) =>
        fail(`recorded, but publishing it at ${target} failed: ${messageOf(cause)}; the next run publishes it`, cause)
      )
    )
    yield* crashPoint("after-publish")
    return materialization
  })
  return yield* Effect.uninterruptible(commit)
})

/**
 * Only the inputs some check reads: an engine may not be able to read every input as a relation (Athena reads a
 * landing source of CSV files only through the compute that lists them), and a check that does not read it needs
 * no relation over it.
 */
const checkedInputs = <F>(asset: AssetDef<any, any>, files: Readonly<Record<string, F>>): Readonly<Record<string, F>> => {
  const read = new Set(asset.checks.flatMap((c) => c.inputs))
  return Object.fromEntries(Object.entries(files).filter(([name]) => read.has(name)))
}

export const messageOf = (e: unknown): string =>
  e instanceof Error ? e.message : typeof e === "object" && e !== null && "message" in e ? String((e as { message: unknown }).message) : String(e)

/** At most this many rows of a `recordRows` side output, and this many groups of a `countBy`, are kept. */
const SUMMARY_LIMIT = 100
const TOP_GROUPS = 5

/**
 * What a side output asks to keep with its materialization: its rows, or its row counts by a column. An engine that
 * reads lake files only through its catalog (Athena) cannot read a staged file: then nothing is kept, and the side
 * output itself still holds everything.
 */
const sideSummary = (name: string, side: SideOutput, staged: string) =>
  Effect.gen(function* () {
    const engine = yield* Engine
    const out: Record<string, unknown> = {}
    if (side.countBy === undefined && side.recordRows !== true) return out
    const relation = engine.relation({ format: "parquet", paths: [staged], columns: undefined })
    if (side.countBy !== undefined) {
      const by = `"${side.countBy.replaceAll('"', '""')}"`
      const rows = yield* engine.query(`SELECT CAST(${by} AS VARCHAR) AS k, CAST(count(*) AS BIGINT) AS n FROM ${relation} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${TOP_GROUPS}`)
      out[`${name}_by_${side.countBy}`] = Object.fromEntries(rows.map((r) => [String(r["k"]), Number(r["n"])]))
    }
    if (side.recordRows === true) {
      // engines hand 64-bit integers over as text: the side output's columns say which are numbers
      const numeric = new Set(columnsOf(side.schema).filter((c) => ["Integer", "BigInt", "Double"].includes(c.type._tag)).map((c) => c.name))
      const rows = yield* engine.query(`SELECT * FROM ${relation} LIMIT ${SUMMARY_LIMIT}`)
      out[name] = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, numeric.has(k) && v !== null ? Number(v) : v])))
    }
    return out
  }).pipe(Effect.catchAllCause(() => Effect.succeed({} as Record<string, unknown>)))
