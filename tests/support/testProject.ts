import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import type { AnyAssetDef } from "../../runtime/asset/Asset.js"
import type { AssetKey } from "../../runtime/asset/AssetKey.js"
import { loadState, materialize, type MaterializeRequest } from "../../runtime/execute/materialize.js"
import { buildGraph } from "../../runtime/graph/AssetGraph.js"
import type { PartitionKey } from "../../runtime/partitions/PartitionKey.js"
import { StatusResolver } from "../../runtime/status/StatusResolver.js"
import * as DuckDB from "../../resources/duckdb/DuckDB.js"
import * as DuckDBEngine from "../../resources/duckdb/DuckDBEngine.js"
import * as MysqlEventStore from "../../resources/event-store/MysqlEventStore.js"
import * as SqliteEventStore from "../../resources/event-store/SqliteEventStore.js"
import * as LocalLake from "../../resources/lake-fs/LocalLake.js"
import * as GeneratedSakila from "../../assets/generated/GeneratedSakila.js"
import * as SimulatedFeed from "../../assets/feed/SimulatedFeed.js"
import { demoProject } from "./demoProject.js"

export const tempDir = (label = "assets-test-") => mkdtempSync(join(tmpdir(), label))

export interface TestProjectOptions {
  readonly assets: ReadonlyArray<AnyAssetDef>
  readonly dir?: string
  readonly seed?: number
  readonly feed?: SimulatedFeed.SimulationConfig
  /** a MySQL URL: the event store on that database instead of SQLite under the folder */
  readonly eventStore?: string
}

/**
 * A project on the embedded resources in a temp folder: real DuckDB, real SQLite, a local lake. The same folder
 * can be opened again with other assets (a changed definition) by passing `dir`.
 */
export const testProject = (options: TestProjectOptions) => {
  const dir = options.dir ?? tempDir()
  const graph = buildGraph(options.assets)
  const lake = LocalLake.layer(join(dir, "lake"))
  const feed = options.feed ?? { seed: 7, from: "2023-01", to: "2023-03", eventsPerMonth: 2000, lateFraction: 0.3, malformedFraction: 0.01 }
  const simulatedFeed = SimulatedFeed.layer(feed).pipe(Layer.provide(lake))
  const layer = Layer.mergeAll(
    DuckDBEngine.layer.pipe(Layer.provide(DuckDB.layer({ threads: 2 }))),
    options.eventStore === undefined
      ? SqliteEventStore.layer(join(dir, "state", "events.sqlite"))
      : MysqlEventStore.layer(Redacted.make(options.eventStore)),
    GeneratedSakila.layer(options.seed ?? 42),
    // as in the demo: the simulated feed seeds an empty landing zone when a run starts
    demoProject("test", graph, simulatedFeed)
  ).pipe(Layer.provideMerge(lake))
  const runtime = ManagedRuntime.make(layer)
  const run = <A, E>(effect: Effect.Effect<A, E, Layer.Layer.Success<typeof layer>>) => runtime.runPromise(effect)
  return {
    dir,
    graph,
    runtime,
    run,
    materialize: (selection: string, extra: Omit<MaterializeRequest, "selection"> = {}) => run(materialize({ selection, ...extra })),
    /** status of every asset (or the given ones) right now, observing sources first */
    resolver: (keys: ReadonlyArray<AssetKey> = graph.order) => run(Effect.map(loadState(graph, keys), (state) => new StatusResolver(graph, state))),
    status: async (key: string, partition: string | null = null) => {
      const resolver = await run(Effect.map(loadState(graph, [key as AssetKey]), (state) => new StatusResolver(graph, state)))
      return resolver.status(key as AssetKey, partition as PartitionKey | null)
    },
    dispose: async (removeDir = true) => {
      await runtime.dispose()
      if (removeDir) rmSync(dir, { recursive: true, force: true })
    }
  }
}

export type TestProject = ReturnType<typeof testProject>

/** The state of each task of a run, keyed `asset` or `asset[partition]`. */
export const outcomeStates = (result: { outcomes: ReadonlyArray<{ task: { id: string }; state: string }> }) =>
  Object.fromEntries(result.outcomes.map((o) => [o.task.id, o.state]))
