import { rmSync } from "node:fs"
import { join } from "node:path"
import { Effect, Layer, ManagedRuntime, Redacted, Stream } from "effect"
import { SakilaSource } from "../../assets/SakilaSource.js"
import { sakilaAssets } from "../../assets/index.js"
import * as DuckDB from "../../resources/duckdb/DuckDB.js"
import * as DuckDBEngine from "../../resources/duckdb/DuckDBEngine.js"
import * as SqliteEventStore from "../../resources/event-store/SqliteEventStore.js"
import * as LocalLake from "../../resources/lake-fs/LocalLake.js"
import * as MysqlSakilaSource from "../../assets/mysql/MysqlSakilaSource.js"
import * as SimulatedFeed from "../../assets/feed/SimulatedFeed.js"
import { loadState, materialize, type MaterializeRequest } from "../../runtime/execute/materialize.js"
import { buildGraph } from "../../runtime/graph/AssetGraph.js"
import { StatusResolver } from "../../runtime/status/StatusResolver.js"
import { tempDir } from "./testProject.js"
import { demoProject } from "./demoProject.js"

/** Rows each extraction returned, per table, in order: seen from outside the real source, which it wraps. */
export type ExtractionLog = Array<{ readonly table: string; readonly since: unknown; rows: number }>

/** Each failed extraction attempt, when it failed (ms since the epoch) and why: a retry follows a transient one. */
export type FailureLog = Array<{ readonly table: string; readonly at: number; readonly message: string }>

/**
 * The Sakila project as assets.config.ts builds it, but reading the given MySQL database, with a temp lake and
 * state folder and a small simulated feed.
 */
export const mysqlProject = (options: {
  readonly url: string
  readonly source?: Omit<MysqlSakilaSource.Options, "url">
  readonly dir?: string
}) => {
  const dir = options.dir ?? tempDir("assets-mysql-")
  const graph = buildGraph(sakilaAssets)
  const extractions: ExtractionLog = []
  const failures: FailureLog = []
  const logged = Layer.effect(
    SakilaSource,
    Effect.map(SakilaSource, (real) =>
      SakilaSource.of({
        ...real,
        extract: (table, extractOptions) => {
          const entry = { table, since: extractOptions?.since?.value, rows: 0 }
          extractions.push(entry)
          return real.extract(table, extractOptions).pipe(
            Stream.tap(() => Effect.sync(() => entry.rows++)),
            Stream.tapError((e) => Effect.sync(() => failures.push({ table, at: Date.now(), message: e.message })))
          )
        }
      })
    )
  ).pipe(Layer.provide(MysqlSakilaSource.layer({ url: Redacted.make(options.url), ...options.source })))
  const layer = Layer.mergeAll(
    DuckDBEngine.layer.pipe(Layer.provide(DuckDB.layer({ threads: 2 }))),
    SqliteEventStore.layer(join(dir, "state", "events.sqlite")),
    logged,
    demoProject("sakila-mysql-test", graph, SimulatedFeed.layer({ seed: 7, from: "2023-01", to: "2023-03", eventsPerMonth: 1500, lateFraction: 0.3, malformedFraction: 0.01 }))
  ).pipe(Layer.provideMerge(LocalLake.layer(join(dir, "lake"))))
  const runtime = ManagedRuntime.make(layer)
  const run = <A, E>(effect: Effect.Effect<A, E, Layer.Layer.Success<typeof layer>>) => runtime.runPromise(effect)
  return {
    dir,
    lake: join(dir, "lake"),
    graph,
    run,
    extractions,
    failures,
    materialize: (selection: string, extra: Omit<MaterializeRequest, "selection"> = {}) => run(materialize({ selection, ...extra })),
    resolver: () => run(Effect.map(loadState(graph, graph.order), (state) => new StatusResolver(graph, state))),
    dispose: async () => {
      await runtime.dispose()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

export type MysqlProject = ReturnType<typeof mysqlProject>
