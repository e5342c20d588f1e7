import { Effect, Schema } from "effect"
import { EventStore } from "../../runtime/events/EventStore.js"
import { InvalidPartition, UnknownAsset, UnknownMaterialization } from "../errors.js"
import { assetNamed, materializationById, partitionOf } from "../lookup.js"
import { reusableJson } from "../responseCache.js"
import { ApiRouter } from "../route.js"
import { IdParam, KeyParam, Limit, MaterializationDetail, MaterializationPage, PartitionQuery } from "../schemas.js"
import type { ApiRuntime } from "../services.js"

/** Materializations: an asset's history (newest first, a cursor per page) and one record by id. */
export const materializationsRouter = (runtime: ApiRuntime) => {
  const r = new ApiRouter("materializations", runtime)
  return r
    .route(
      {
        method: "get",
        path: "/assets/:key/materializations",
        summary: "an asset's materializations, newest first, optionally of one partition; paginated with a cursor",
        params: KeyParam,
        query: Schema.Struct({
          partition: PartitionQuery,
          before: Schema.optional(Schema.String.annotations({ description: "nextCursor of the previous page" })),
          limit: Limit(500, 50)
        }),
        responses: { 200: { description: "one page", schema: MaterializationPage } },
        errors: [UnknownAsset, InvalidPartition],
        access: "read"
      },
      async (c, { params, query }) =>
        reusableJson(
          c,
          await r.run(
            Effect.gen(function* () {
              const store = yield* EventStore
              const def = yield* assetNamed(params.key)
              const partition = yield* partitionOf(def, query.partition, false)
              const page = yield* store.materializations({
                asset: def.key,
                // an unpartitioned asset's history is its only partition's
                partition: def.partitions === undefined ? undefined : partition,
                before: query.before,
                limit: query.limit + 1
              })
              const items = page.slice(0, query.limit)
              return { items, nextCursor: page.length > query.limit ? items[items.length - 1]!.id : null }
            })
          )
        )
    )
    .route(
      {
        method: "get",
        path: "/materializations/:id",
        summary: "one materialization with what it read, and whether it is still the current one of its asset partition",
        params: IdParam,
        responses: { 200: { description: "the materialization", schema: MaterializationDetail } },
        errors: [UnknownMaterialization],
        access: "read"
      },
      async (c, { params }) =>
        reusableJson(
          c,
          await r.run(
            Effect.gen(function* () {
              const store = yield* EventStore
              const m = yield* materializationById(params.id)
              const [latest] = yield* store.materializations({ asset: m.asset, partition: m.partition, limit: 1 })
              return { ...m, current: latest?.id === m.id, currentId: latest?.id ?? null }
            })
          )
        )
    )
}
