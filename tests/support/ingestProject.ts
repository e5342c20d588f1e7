import { join } from "node:path"
import { Effect, Layer, Schema } from "effect"
import { acceptRecords, defineSource, Lake, monthly, shortHash, streamIngest, type PartitionKey } from "sakila-assets"
import { duckdbEngineLayer, duckdbLayer } from "sakila-assets/duckdb"
import { localLakeLayer } from "sakila-assets/lake-fs"
import { sqliteEventStoreLayer } from "sakila-assets/sqlite"

/** Events as JSON lines under landing/events/YYYY/MM/ (arrival month, UTC), the open month included. */
export const events = defineSource({
  key: "events",
  partitions: monthly({ start: "2020-01", includeOpen: true }),
  format: "jsonl",
  prefix: (p) => `landing/events/${p!.slice(0, 4)}/${p!.slice(5, 7)}/`,
  observe: Effect.gen(function* () {
    const by = new Map<PartitionKey, Array<string>>()
    for (const o of yield* (yield* Lake).list("landing/events/")) {
      const [, , y, m] = o.path.split("/")
      by.set(`${y}-${m}` as PartitionKey, [...(by.get(`${y}-${m}` as PartitionKey) ?? []), `${o.path} ${o.size} ${o.tag}`])
    }
    return { _tag: "Partitioned" as const, partitions: new Map([...by].map(([k, v]) => [k, shortHash(...v)])) }
  })
})

/** What a record of `events` must be. */
export const Event = Schema.Struct({ id: Schema.Int, kind: Schema.Literal("a", "b") })

/** The stream declaration of `events`, with the given buffer hints. */
export const eventsIngest = (options: Parameters<typeof streamIngest>[1] = {}) => streamIngest([acceptRecords(events, { schema: Event, name: "events-stream" })], options)

/** DuckDB, SQLite and a lake folder under `dir`, with the stream declaration. */
export const ingestResources = (dir: string, options: Parameters<typeof streamIngest>[1] = {}) =>
  Layer.mergeAll(
    duckdbEngineLayer.pipe(Layer.provide(duckdbLayer({ threads: 1 }))),
    sqliteEventStoreLayer(join(dir, "state", "events.sqlite")),
    eventsIngest(options)
  ).pipe(Layer.provideMerge(localLakeLayer(join(dir, "lake"))))
