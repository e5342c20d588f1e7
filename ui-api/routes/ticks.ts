import { Effect, Schema } from "effect"
import { Tick, TickStore } from "../../runtime/automation/TickStore.js"
import { UnknownAsset } from "../errors.js"
import { assetNamed } from "../lookup.js"
import { ApiRouter } from "../route.js"
import { Limit } from "../schemas.js"
import type { ApiRuntime } from "../services.js"

const TickPage = Schema.Struct({
  items: Schema.Array(Tick.annotations({ identifier: "Tick" })),
  /** pass as `before` for the next page; null on the last page */
  nextCursor: Schema.NullOr(Schema.String)
})

/** The automation daemon's ticks: what each decided for every automated asset partition, and why. */
export const ticksRouter = (runtime: ApiRuntime) => {
  const r = new ApiRouter("automation", runtime)
  return r.route(
    {
      method: "get",
      path: "/ticks",
      summary: "the daemon's ticks, newest first, with their decisions; paginated with a cursor",
      description: "With `asset`, only the ticks that decided something for that asset, each with only its decisions.",
      query: Schema.Struct({ asset: Schema.optional(Schema.String), before: Schema.optional(Schema.String), limit: Limit(200, 20) }),
      responses: { 200: { description: "one page", schema: TickPage } },
      errors: [UnknownAsset],
      access: "read"
    },
    async (c, { query }) =>
      c.json(
        await r.run(
          Effect.gen(function* () {
            if (query.asset !== undefined) yield* assetNamed(query.asset)
            const page = yield* (yield* TickStore).ticks({
              limit: query.limit + 1,
              ...(query.asset !== undefined ? { asset: query.asset } : {}),
              ...(query.before !== undefined ? { before: query.before } : {})
            })
            const items = page.slice(0, query.limit)
            return { items, nextCursor: page.length > query.limit ? items[items.length - 1]!.id : null }
          })
        )
      )
  )
}
