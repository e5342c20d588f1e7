import { Effect, Schema } from "effect"
import type { Context } from "hono"
import { Project } from "../../runtime/project/Project.js"
import { InvalidPartition, NotMaterialized, UnknownAsset, UnknownMaterialization } from "../errors.js"
import { assetNamed, latestOf, materializationById, partitionOf } from "../lookup.js"
import { PreviewError, readPreview, type PreviewResult } from "../../runtime/preview/readPreview.js"
import { toArrowStream } from "../arrow.js"
import { ApiRouter } from "../route.js"
import { IdParam, KeyParam, Limit, PartitionQuery, Preview } from "../schemas.js"
import type { ApiRuntime } from "../services.js"

/** A materialization without an output file is, for the API, not materialized. */
const asNotMaterialized = <A, E, R>(effect: Effect.Effect<A, E | PreviewError, R>) =>
  Effect.catchIf(effect, (e): e is PreviewError => e instanceof PreviewError, (e) => Effect.fail(new NotMaterialized({ message: e.message })))

export const ARROW_STREAM = "application/vnd.apache.arrow.stream"

const respond = (c: Context, preview: PreviewResult): Response => {
  if ((c.req.header("accept") ?? "").includes(ARROW_STREAM)) {
    c.header("Content-Type", ARROW_STREAM)
    c.header("X-Assets-Materialization", preview.materializationId)
    c.header("X-Assets-Current", String(preview.current))
    if (preview.note !== null) c.header("X-Assets-Note", preview.note)
    return c.body(toArrowStream(preview) as Uint8Array<ArrayBuffer>)
  }
  const { specs: _, ...body } = preview
  return c.json(body)
}

const responses = {
  200: {
    description: `the first rows, as JSON or (Accept: ${ARROW_STREAM}) as an Arrow IPC stream typed by the asset's Schema`,
    schema: Preview,
    alternatives: [ARROW_STREAM]
  }
}

/** Data preview: the first rows of an asset partition's current materialization, or of any materialization. */
export const previewRouter = (runtime: ApiRuntime) => {
  const r = new ApiRouter("preview", runtime)
  return r
    .route(
      {
        method: "get",
        path: "/assets/:key/preview",
        summary: "the first rows of an asset (partition)'s current materialization",
        params: KeyParam,
        query: Schema.Struct({ partition: PartitionQuery, limit: Limit(1000, 20) }),
        responses,
        errors: [UnknownAsset, InvalidPartition, NotMaterialized],
        access: "read"
      },
      async (c, { params, query }) =>
        respond(
          c,
          await r.run(
            Effect.gen(function* () {
              const def = yield* assetNamed(params.key)
              if (def._tag === "Source") {
                return yield* new NotMaterialized({ message: `${def.key} is a source: it is observed, not materialized, so there is nothing to preview` })
              }
              const partition = (yield* partitionOf(def, query.partition, true))!
              return yield* readPreview(def, yield* latestOf(def, partition), query.limit).pipe(asNotMaterialized)
            })
          )
        )
    )
    .route(
      {
        method: "get",
        path: "/materializations/:id/preview",
        summary: "the first rows of a materialization (a superseded one's file holds the newer data: the note says so)",
        params: IdParam,
        query: Schema.Struct({ limit: Limit(1000, 20) }),
        responses,
        errors: [UnknownMaterialization, NotMaterialized],
        access: "read"
      },
      async (c, { params, query }) =>
        respond(
          c,
          await r.run(
            Effect.gen(function* () {
              const { graph } = yield* Project
              const m = yield* materializationById(params.id)
              const def = graph.has(m.asset) ? graph.get(m.asset) : undefined
              if (def === undefined || def._tag !== "Asset") {
                return yield* new NotMaterialized({ message: `${m.asset} is no longer an asset of the project: its rows cannot be typed` })
              }
              return yield* readPreview(def, m, query.limit).pipe(asNotMaterialized)
            })
          )
        )
    )
}
