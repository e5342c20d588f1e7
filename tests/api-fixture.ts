import { rmSync } from "node:fs"
import { join } from "node:path"
import { Effect, Layer, ManagedRuntime } from "effect"
import { sakilaAssets } from "../assets/index.js"
import { StreamingFeed } from "../assets/StreamingFeed.js"
import * as DuckDB from "../resources/duckdb/DuckDB.js"
import * as DuckDBEngine from "../resources/duckdb/DuckDBEngine.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import * as LocalLake from "../resources/lake-fs/LocalLake.js"
import * as GeneratedSakila from "../assets/generated/GeneratedSakila.js"
import * as SimulatedFeed from "../assets/feed/SimulatedFeed.js"
import { materialize } from "../runtime/execute/materialize.js"
import { defineProject } from "../runtime/project/Project.js"
import { makeApp } from "../ui-api/app.js"
import { ApiAuth } from "../ui-api/auth.js"
import * as Auth from "../ui-api/auth.js"
import { apiLayer } from "../ui-api/layer.js"
import type { ApiRuntime } from "../ui-api/services.js"
import { tempDir } from "./support/testProject.js"

/**
 * The real Sakila project on the embedded resources in a temp folder (generated source, a small simulated feed:
 * 2023-01..2023-03, 2000 events a month), materialized once, with the API's runtime over it.
 */
/** The embedded resources of a small Sakila in `dir`: generated source, simulated feed of 2023-01..2023-03. */
export const smallSakilaResources = (dir: string) =>
  Layer.mergeAll(
    DuckDBEngine.layer.pipe(Layer.provide(DuckDB.layer({ threads: 2 }))),
    SqliteEventStore.layer(join(dir, "state", "events.sqlite")),
    GeneratedSakila.layer(42),
    SimulatedFeed.layer({ seed: 7, from: "2023-01", to: "2023-03", eventsPerMonth: 2000, lateFraction: 0.3, malformedFraction: 0.001 })
  ).pipe(Layer.provideMerge(LocalLake.layer(join(dir, "lake"))))

export const apiFixture = async () => {
  const dir = tempDir("assets-api-")
  const resources = smallSakilaResources(dir)
  const project = defineProject({ name: "sakila", assets: sakilaAssets, layer: resources, beforeRun: Effect.flatMap(StreamingFeed, (feed) => feed.prepare) })
  const runtime = ManagedRuntime.make(apiLayer(project, Auth.layer({ host: "127.0.0.1" })))
  const first = await runtime.runPromise(materialize({ selection: "+category_report" }))
  /** the same runtime with other auth settings */
  const withAuth = (options: { host: string; token?: string }): ApiRuntime => ({
    runPromiseExit: (effect) =>
      runtime.runPromiseExit(
        Effect.provideService(effect, ApiAuth, Effect.runSync(Effect.provide(ApiAuth, Auth.layer(options))))
      )
  })
  return {
    dir,
    project,
    runtime,
    firstRun: first,
    app: makeApp(runtime),
    withAuth,
    dispose: async () => {
      await runtime.dispose()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

export type ApiFixture = Awaited<ReturnType<typeof apiFixture>>
