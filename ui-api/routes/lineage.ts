import { Effect, Schema } from "effect"
import type { Materialization } from "../../runtime/events/records.js"
import { lineage } from "../../runtime/lineage/lineage.js"
import { InvalidPartition, NotMaterialized, UnknownAsset, UnknownMaterialization } from "../errors.js"
import { assetNamed, latestOf, materializationById, partitionOf } from "../lookup.js"
import { reusableJson } from "../responseCache.js"
import { ApiRouter } from "../route.js"
import { IdParam, KeyParam, Lineage, PartitionQuery } from "../schemas.js"
import type { ApiRuntime } from "../services.js"

const Walk = {
  direction: Schema.optionalWith(Schema.Literal("upstream", "downstream"), { default: () => "upstream" as const }),
  depth: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 50)), { default: () => 10 })
}

const walk = (root: Materialization, direction: "upstream" | "downstream", depth: number) =>
  Effect.map(lineage(root, direction, depth), (l) => ({ ...l, direction, depth }))

/**
 * Lineage: each node a concrete materialization (or source observation), each edge what a node read; from the
 * current materialization of an asset partition, or from any materialization by id.
 */
export const lineageRouter = (runtime: ApiRuntime) => {
  const r = new ApiRouter("lineage", runtime)
  return r
    .route(
      {
        method: "get",
        path: "/assets/:key/lineage",
        summary: "lineage of the current materialization of an asset (partition), upstream or downstream, to a depth",
        params: KeyParam,
        query: Schema.Struct({ partition: PartitionQuery, ...Walk }),
        responses: { 200: { description: "the lineage", schema: Lineage } },
        errors: [UnknownAsset, InvalidPartition, NotMaterialized],
        access: "read"
      },
      async (c, { params, query }) =>
        reusableJson(
          c,
          await r.run(
            Effect.gen(function* () {
              const def = yield* assetNamed(params.key)
              const partition = (yield* partitionOf(def, query.partition, true))!
              return yield* walk(yield* latestOf(def, partition), query.direction, query.depth)
            })
          )
        )
    )
    .route(
      {
        method: "get",
        path: "/materializations/:id/lineage",
        summary: "lineage of one materialization, upstream or downstream, to a depth",
        params: IdParam,
        query: Schema.Struct(Walk),
        responses: { 200: { description: "the lineage", schema: Lineage } },
        errors: [UnknownMaterialization],
        access: "read"
      },
      async (c, { params, query }) =>
        reusableJson(c, await r.run(Effect.flatMap(materializationById(params.id), (m) => walk(m, query.direction, query.depth))))
    )
}
