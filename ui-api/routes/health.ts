import { Effect, Schema } from "effect"
import type { AssetKey } from "../../runtime/asset/AssetKey.js"
import { slot } from "../../runtime/status/State.js"
import { loadRunStates } from "../../runtime/status/summary.js"
import { InvalidPartition, UnknownAsset } from "../errors.js"
import { assetNamed } from "../lookup.js"
import { ApiRouter } from "../route.js"
import { CausePage, HealthStatus, KeyParam, Limit, PartitionHealth } from "../schemas.js"
import type { ApiRuntime } from "../services.js"
import { partitionView, resolverFor } from "../status.js"

type Shown = typeof HealthStatus.Type

/** The order in which a run of partitions shows its worst. */
const worst: ReadonlyArray<Shown> = ["RUNNING", "FAILED", "MISSING", "STALE", "FRESH"]

/** Every partition of an asset with what it shows now: running, failed, else its freshness (keys are opaque, in the definition's order). */
const shownPartitions = (key: AssetKey) =>
  Effect.gen(function* () {
    const resolver = yield* resolverFor([key])
    const runs = yield* loadRunStates([key])
    const statuses = resolver.statuses(key)
    return {
      resolver,
      runs,
      partitions: statuses.map((s) => {
        const id = slot(key, s.partition)
        const running = runs.running.has(id)
        const shown: Shown = running ? "RUNNING" : runs.failed.has(id) ? "FAILED" : s.status
        return { status: s, running, shown }
      })
    }
  })

const noCounts = () => ({ MISSING: 0, STALE: 0, FRESH: 0, FAILED: 0, RUNNING: 0 })

/** where a partition named in a query stands among the asset's, or a 400 saying which exist */
const indexOf = (keys: ReadonlyArray<string | null>, key: string, asset: string, name: string) =>
  Effect.suspend(() => {
    const i = keys.indexOf(key)
    return i >= 0
      ? Effect.succeed(i)
      : Effect.fail(
          new InvalidPartition({
            message: `${name}=${JSON.stringify(key.slice(0, 100))} is not a partition of ${asset} with data; its partitions run from ${keys[0]} to ${keys[keys.length - 1]}`
          })
        )
  })

const PartitionParam = Schema.optional(Schema.String.annotations({ description: "a partition key of the asset (opaque: as the asset's partitions definition writes it)" }))

/**
 * An asset's partitions for the page, whatever their number: a health bar (runs of partitions with their counts,
 * never the whole partition space) over a range, and the partitions that are not fresh, with their causes, a page
 * at a time.
 */
export const partitionHealthRouter = (runtime: ApiRuntime) => {
  const r = new ApiRouter("partitions", runtime)
  // a page asks for an asset's health bar and its causes at once: requests that arrive while the asset's status
  // is being worked out share that work (nothing is kept once it is done)
  const inflight = new Map<AssetKey, Promise<Effect.Effect.Success<ReturnType<typeof shownPartitions>>>>()
  const shared = (key: AssetKey) => {
    let p = inflight.get(key)
    if (p === undefined) {
      p = r.run(shownPartitions(key)).finally(() => inflight.delete(key))
      inflight.set(key, p)
    }
    return Effect.promise(() => p!)
  }
  return r
    .route(
      {
        method: "get",
        path: "/assets/:key/health",
        summary: "an asset's partitions as a health bar: the range from..to cut into at most `buckets` runs, each with its counts and worst status",
        params: KeyParam,
        query: Schema.Struct({ from: PartitionParam, to: PartitionParam, buckets: Limit(2000, 200) }),
        responses: { 200: { description: "the health bar", schema: PartitionHealth } },
        errors: [UnknownAsset, InvalidPartition],
        access: "read"
      },
      async (c, { params, query }) =>
        c.json(
          await r.run(
            Effect.gen(function* () {
              const def = yield* assetNamed(params.key)
              const counts = noCounts()
              if (def.partitions === undefined) return { asset: def.key, total: 0, counts, range: { from: null, to: null, offset: 0, count: 0 }, buckets: [] }
              const { partitions } = yield* shared(def.key)
              const keys = partitions.map((p) => p.status.partition)
              for (const p of partitions) {
                counts[p.shown === "RUNNING" ? (p.status.status as Exclude<Shown, "RUNNING">) : p.shown]++
                if (p.running) counts.RUNNING++
              }
              const first = query.from === undefined ? 0 : yield* indexOf(keys, query.from, def.key, "from")
              const last = query.to === undefined ? keys.length - 1 : yield* indexOf(keys, query.to, def.key, "to")
              if (last < first) return yield* new InvalidPartition({ message: `from ${query.from} comes after to ${query.to}` })
              const range = partitions.slice(first, last + 1)
              const per = Math.max(1, Math.ceil(range.length / query.buckets))
              const buckets = Array.from({ length: Math.ceil(range.length / per) }, (_, b) => {
                const run = range.slice(b * per, (b + 1) * per)
                const c = noCounts()
                for (const p of run) c[p.shown]++
                return {
                  from: run[0]!.status.partition!,
                  to: run[run.length - 1]!.status.partition!,
                  partitions: run.length,
                  status: worst.find((w) => c[w] > 0)!,
                  counts: c
                }
              })
              return {
                asset: def.key,
                total: keys.length,
                counts,
                range: { from: keys[first] ?? null, to: keys[last] ?? null, offset: first, count: range.length },
                buckets
              } satisfies typeof PartitionHealth.Type
            })
          )
        )
    )
    .route(
      {
        method: "get",
        path: "/assets/:key/causes",
        summary: "an asset's partitions that are not fresh, failed or running, with their causes and failures; paged",
        params: KeyParam,
        query: Schema.Struct({
          offset: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()), { default: () => 0 }),
          limit: Limit(500, 50)
        }),
        responses: { 200: { description: "one page", schema: CausePage } },
        errors: [UnknownAsset],
        access: "read"
      },
      async (c, { params, query }) =>
        c.json(
          await r.run(
            Effect.gen(function* () {
              const def = yield* assetNamed(params.key)
              const { resolver, runs, partitions } = yield* shared(def.key)
              const wanted = partitions.filter((p) => p.shown !== "FRESH")
              const page = wanted.slice(query.offset, query.offset + query.limit)
              const next = query.offset + page.length
              return {
                asset: def.key,
                total: wanted.length,
                offset: query.offset,
                nextOffset: next < wanted.length ? next : null,
                items: page.map((p) => ({ ...partitionView(resolver, p.status, runs.failed), running: p.running }))
              }
            })
          )
        )
    )
}
