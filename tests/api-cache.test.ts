import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import { EventStore } from "../runtime/events/EventStore.js"
import type { Materialization } from "../runtime/events/records.js"
import { cached } from "../ui-api/cachedStore.js"

const record = (id: string): Materialization =>
  ({
    id,
    runId: "r1",
    asset: "raw_film",
    partition: null,
    codeVersion: "c",
    dataVersion: `v-${id}`,
    rowCount: 1,
    metadata: { path: "landing/raw_film/data.csv" },
    startedAt: "2023-01-01T00:00:00.000Z",
    endedAt: "2023-01-01T00:00:01.000Z",
    inputs: []
  }) as unknown as Materialization

describe("the API's cached event store", () => {
  it("answers lookups by id from memory, least recently used out first, and never caches a miss", async () => {
    await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* EventStore
        const ids = ["m1", "m2", "m3"]
        for (const id of ids) yield* store.recordMaterialization(record(id))
        let reads = 0
        const counting = { ...store, materialization: (id: string) => Effect.tap(store.materialization(id), () => Effect.sync(() => reads++)) }
        const api = cached(counting, () => {}, 2)
        expect((yield* api.materialization("m1"))?.dataVersion).toBe("v-m1")
        expect((yield* api.materialization("m1"))?.dataVersion).toBe("v-m1")
        expect(reads).toBe(1)
        yield* api.materialization("m2")
        yield* api.materialization("m1") // m1 is now the most recently used
        yield* api.materialization("m3") // evicts m2
        expect(reads).toBe(3)
        yield* api.materialization("m1")
        expect(reads).toBe(3)
        yield* api.materialization("m2")
        expect(reads).toBe(4)
        expect(yield* api.materialization("nope")).toBeUndefined()
        yield* store.recordMaterialization(record("nope"))
        expect((yield* api.materialization("nope"))?.id).toBe("nope")
        // what can change still goes to the store
        expect((yield* api.materializations({ asset: "raw_film" as never, limit: 10 })).length).toBe(4)
      }).pipe(Effect.provide(SqliteEventStore.layer(":memory:")))
    )
  })
})
