import { rmSync } from "node:fs"
import { Effect, ManagedRuntime, Schema } from "effect"
import { Column, defineAsset, Engine } from "sakila-assets"
import { sakilaAssets } from "../../assets/index.js"
import { StreamingFeed } from "../../assets/StreamingFeed.js"
import { categoryReport } from "../../assets/reports.js"
import { streamingFilms } from "../../assets/streaming_films.js"
import { materialize } from "../../runtime/execute/materialize.js"
import { defineProject } from "../../runtime/project/Project.js"
import * as Auth from "../../ui-api/auth.js"
import { apiLayer } from "../../ui-api/layer.js"
import { smallSakilaResources } from "../api-fixture.js"
import { tempDir } from "./testProject.js"

/** Switches for the extra assets: how long `slow_films` takes per month, and whether `partner_upload` fails. */
export const uiKnobs = { slowMs: 1500, failUpload: false }

const Count = Schema.Struct({ n: Column.bigint })

/** A month of streaming_films counted, after a pause: slow enough for a page to watch it run and to cancel a backfill of it. */
const slowFilms = defineAsset({
  key: "slow_films",
  description: "streaming_films counted per month, slowly (a test asset)",
  group: "ui_test",
  partitions: streamingFilms.partitions!,
  deps: { films: streamingFilms },
  schema: Count,
  codeVersion: "1",
  compute: (ctx) =>
    Effect.gen(function* () {
      yield* Effect.sleep(`${uiKnobs.slowMs} millis`)
      const engine = yield* Engine
      yield* engine.write(`SELECT count(*)::BIGINT AS n FROM ${engine.relation(ctx.inputs["films"]!)}`, ctx.outputPath, ctx.format)
    })
})

/** Reads category_report; fails with a three-line error while `uiKnobs.failUpload` is set. */
const partnerUpload = defineAsset({
  key: "partner_upload",
  description: "category_report as a partner receives it (a test asset that fails on demand)",
  group: "ui_test",
  deps: { report: categoryReport },
  schema: Count,
  codeVersion: "1",
  compute: (ctx) =>
    Effect.gen(function* () {
      if (uiKnobs.failUpload) {
        return yield* Effect.fail(new Error("the partner refused the upload: HTTP 503\nretry-after: 30 s\nrequest id: req-42"))
      }
      const engine = yield* Engine
      yield* engine.write(`SELECT count(*)::BIGINT AS n FROM ${engine.relation(ctx.inputs["report"]!)}`, ctx.outputPath, ctx.format)
    })
})

export const uiAssets = [...sakilaAssets, slowFilms, partnerUpload] as const

/**
 * The Sakila project (generated source, a simulated feed of 2023-01..2023-03) plus two test assets, in a temp
 * folder, with `+category_report` materialized once and the API's runtime over it.
 */
export const uiFixture = async () => {
  const dir = tempDir("assets-ui-")
  const resources = smallSakilaResources(dir)
  const project = defineProject({ name: "sakila", assets: uiAssets, layer: resources, beforeRun: Effect.flatMap(StreamingFeed, (feed) => feed.prepare) })
  const runtime = ManagedRuntime.make(apiLayer(project, Auth.layer({ host: "127.0.0.1" })))
  const first = await runtime.runPromise(materialize({ selection: "+category_report" }))
  return {
    dir,
    project,
    runtime,
    firstRun: first,
    dispose: async () => {
      await runtime.dispose()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

export type UiFixture = Awaited<ReturnType<typeof uiFixture>>
