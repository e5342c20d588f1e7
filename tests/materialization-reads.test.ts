import { rmSync } from "node:fs"
import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect, Either, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as SqlEventStore from "../resources/event-store/SqlEventStore.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { newId } from "../runtime/events/ids.js"
import type { Materialization } from "../runtime/events/records.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { tempDir } from "./support/testProject.js"

const key = (s: string) => s as AssetKey

const aMaterialization = (asset: string, partition: string | null, inputs: Materialization["inputs"] = []): Materialization => {
  const id = newId("m")
  const at = new Date().toISOString()
  return { id, runId: newId("r"), asset: key(asset), partition: partition as PartitionKey | null, codeVersion: "c1", dataVersion: `v-${id}`, rowCount: 3, metadata: { path: `/${asset}` }, startedAt: at, endedAt: at, inputs }
}

/**
 * The API's reads on SQLite go through a read-only connection of their own with statements prepared once, their
 * IN lists rounded up to a power of two (materializationReads.ts); the same store read through `@effect/sql`
 * alone must answer the same, and a row of another shape must fail the same way.
 */
describe("the API's reads of the SQLite event store", () => {
  const dir = tempDir("materialization-reads-")
  const file = join(dir, "events.sqlite")
  // the embedded store as served (with its reader), and the same file on the SQL client only
  const served = ManagedRuntime.make(SqliteEventStore.layer(file))
  const plain = ManagedRuntime.make(Layer.effect(EventStore, SqlEventStore.make).pipe(Layer.provideMerge(SqliteClient.layer({ filename: file }))))
  const both = async <A>(read: (store: EventStore["Type"]) => Effect.Effect<A, unknown>) => {
    const [a, b] = await Promise.all([served.runPromise(Effect.flatMap(EventStore, read)), plain.runPromise(Effect.flatMap(EventStore, read))])
    return { served: a, plain: b }
  }
  const films: Array<Materialization> = []
  const reports: Array<Materialization> = []

  beforeAll(async () => {
    const sources = Array.from({ length: 7 }, (_, i) => ({ asset: key("raw_film"), partition: null, dataVersion: `s${i}`, producerId: `o-${i}` }))
    for (let i = 0; i < 11; i++) films.push(aMaterialization("clean_film", null, sources.slice(0, i % 4)))
    for (let i = 0; i < 6; i++) {
      const read = films.filter((_, k) => k % (i + 2) === 0)
      reports.push(aMaterialization("film_report", `2023-0${i + 1}`, read.map((f) => ({ asset: f.asset, partition: null, dataVersion: f.dataVersion, producerId: f.id }))))
    }
    await served.runPromise(Effect.flatMap(EventStore, (s) => Effect.forEach([...films, ...reports], (m) => s.recordMaterialization(m))))
  })

  afterAll(async () => {
    await served.dispose()
    await plain.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it("answers pages, records by id and consumers as @effect/sql alone does, whatever the size of the list", async () => {
    for (const limit of [1, 3, 5, 12]) {
      const page = await both((s) => s.materializations({ asset: key("clean_film"), limit, before: films[9]!.id }))
      expect(page.served).toEqual(page.plain)
      expect(page.served.map((m) => m.id)).toEqual(films.slice(0, 9).reverse().slice(0, limit).map((m) => m.id))
    }
    const partition = await both((s) => s.materializations({ asset: key("film_report"), partition: "2023-03" as PartitionKey, limit: 5 }))
    expect(partition.served).toEqual([reports[2]])
    expect(partition.plain).toEqual(partition.served)
    for (const n of [1, 3, 5, 6, 9, 11]) {
      const ids = [...films.slice(0, n).map((m) => m.id), "m-none"]
      const read = await both((s) => s.materializationsById(ids))
      const byId = (xs: ReadonlyArray<Materialization>) => [...xs].sort((a, b) => a.id.localeCompare(b.id))
      expect(byId(read.served)).toEqual(films.slice(0, n))
      expect(byId(read.plain)).toEqual(byId(read.served))
      const consumers = await both((s) => s.consumersOf(films.slice(0, n).map((m) => m.id)))
      expect([...consumers.served]).toEqual([...consumers.plain])
      expect(consumers.served.get(films[0]!.id)).toEqual(reports)
    }
  })

  it("fails on a row of another shape with an EventStoreError naming the read, the row and the column", async () => {
    await plain.runPromise(Effect.flatMap(SqlClient.SqlClient, (sql) => sql`UPDATE materializations SET row_count = 'many' WHERE id = ${films[10]!.id}`))
    const message = async (read: (store: EventStore["Type"]) => Effect.Effect<unknown, unknown>) => {
      const result = await served.runPromise(Effect.either(Effect.flatMap(EventStore, read)))
      return Either.isLeft(result) ? `${(result.left as { _tag: string })._tag}: ${(result.left as Error).message}` : "read"
    }
    expect(await message((s) => s.materializations({ asset: key("clean_film"), limit: 2 }))).toBe(
      "EventStoreError: event store: listing materializations failed: materializations row 0: column row_count is not a number (many)"
    )
    expect(await message((s) => s.materializationsById([films[10]!.id]))).toBe(
      "EventStoreError: event store: reading materializations failed: materializations row 0: column row_count is not a number (many)"
    )
  })
})
