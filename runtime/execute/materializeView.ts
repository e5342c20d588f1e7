import { Effect } from "effect"
import { outputPath, type AssetDef, type InputFiles, type SqlContext } from "../asset/Asset.js"
import { shortHash } from "../asset/codeVersion.js"
import { Engine } from "../engine/Engine.js"
import { EventStore } from "../events/EventStore.js"
import type { Materialization, NewRunEvent } from "../events/records.js"
import type { AssetGraph } from "../graph/AssetGraph.js"
import { Lake } from "../lake/Lake.js"
import type { CurrentInput } from "../status/StatusResolver.js"
import { MaterializeError, OutputContractError } from "./errors.js"
import { publish } from "./outputs.js"

/**
 * The data version of a view: it holds no rows, so what it answers is fixed by its definition and by the data
 * versions of what it reads. Two creations over the same inputs answer the same rows and get the same version;
 * an input written again with the same rows leaves it unchanged, as it leaves a table's.
 */
export const viewDataVersion = (codeVersion: string, inputs: ReadonlyArray<{ readonly asset: string; readonly partition: string | null; readonly dataVersion: string }>) =>
  shortHash("view", codeVersion, ...inputs.map((i) => `${i.asset}[${i.partition ?? ""}]=${i.dataVersion}`).sort())

/** The recorded view an upstream is, for a reader of it: its name and SQL (undefined when it recorded none). */
export const viewOf = (m: Pick<Materialization, "metadata"> | undefined): InputFiles["view"] => {
  const name = m?.metadata["view"]
  const sql = m?.metadata["view_sql"]
  return typeof name === "string" && typeof sql === "string" ? { name, sql } : undefined
}

/**
 * Materializes a view asset: its SQL reads the stable paths of its inputs (what their tables show now, not a
 * version: a view follows its inputs as they are published), the engine checks what it answers against the
 * declared columns and creates it in its catalog, and the record names the inputs' versions it was created over.
 * No file is written. Creating it again is cheap and changes nothing a reader sees unless the definition changed.
 */
export const materializeView = Effect.fn("Materializer.view")(function* (args: {
  readonly graph: AssetGraph
  readonly asset: AssetDef<any, any>
  readonly runId: string
  readonly id: string
  readonly inputs: ReadonlyArray<CurrentInput>
  readonly reportedBy?: (m: Materialization) => Effect.Effect<ReadonlyArray<NewRunEvent>>
  /** told once the record committed (the events `reportedBy` gave are stored) */
  readonly recorded?: Effect.Effect<void>
}) {
  const { asset, graph } = args
  const engine = yield* Engine
  const lake = yield* Lake
  const store = yield* EventStore
  const startedAt = new Date().toISOString()
  const fail = (message: string, cause?: unknown) => new MaterializeError({ asset: asset.key, partition: null, message, cause })
  if (asset.compute._tag !== "Sql") return yield* fail("a view is defined by SQL")
  if (engine.createView === undefined) return yield* fail(`the ${engine.dialect} engine keeps no catalog of views: materialize ${asset.key} as a table`)

  const files: Record<string, { format: InputFiles["format"]; paths: Array<string>; columns: InputFiles["columns"]; view?: InputFiles["view"] }> = {}
  for (const edge of graph.inputs(asset.key)) {
    const up = graph.get(edge.upstream)
    files[edge.name] = { format: up.format, paths: [], columns: up._tag === "Asset" ? up.columns : undefined }
  }
  for (const input of args.inputs) {
    const up = graph.get(input.edge.upstream)
    const entry = files[input.edge.name]!
    if (up._tag === "Asset" && up.materialization === "view") {
      const view = viewOf(input.producerId === null ? undefined : yield* store.materialization(input.producerId))
      if (view === undefined) return yield* fail(`input ${up.key} is a view with no recorded definition: materialize it first`)
      entry.view = view
    } else if (up._tag === "Asset") entry.paths.push(outputPath(up, input.partition ?? undefined))
    else if (up.prefix !== undefined) for (const o of yield* lake.list(up.prefix(input.partition ?? undefined))) entry.paths.push(o.path)
  }
  const ctx: SqlContext = {
    inputs: Object.fromEntries(Object.entries(files).map(([name, f]) => [name, engine.relation(f)])),
    partition: undefined,
    window: undefined,
    dimensions: undefined
  }
  const sql = asset.compute.sql(ctx)
  const created = yield* engine.createView(asset.key, sql, asset.columns)
  if (created.problems.length > 0) return yield* new OutputContractError({ asset: asset.key, partition: null, problems: created.problems })

  const inputs = args.inputs.map((i) => ({ asset: i.edge.upstream, partition: i.partition, dataVersion: i.dataVersion!, producerId: i.producerId }))
  const materialization: Materialization = {
    id: args.id,
    runId: args.runId,
    asset: asset.key,
    partition: null,
    codeVersion: asset.codeVersion,
    dataVersion: viewDataVersion(asset.codeVersion, inputs),
    rowCount: created.stats.rows,
    metadata: { ...created.metadata, view: asset.key, view_sql: sql, materialization: "view" },
    startedAt,
    endedAt: new Date().toISOString(),
    inputs
  }
  const commit = Effect.gen(function* () {
    const events = args.reportedBy ? yield* args.reportedBy(materialization) : []
    yield* store.recordMaterialization(materialization, events).pipe(
      Effect.mapError((cause) => fail(`${cause.message}; the view was created, and its record is the previous one until the next run`, cause))
    )
    if (args.recorded) yield* args.recorded
    // no output to publish: this only marks the record published, as for any other
    yield* publish(materialization).pipe(Effect.mapError((cause) => fail(`recorded, but marking it published failed: ${cause.message}`, cause)))
    return materialization
  })
  return yield* Effect.uninterruptible(commit)
})
