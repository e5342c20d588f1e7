import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { watched } from "../ui-api/readModel.js"
import { aMaterialization } from "./support/aMaterialization.js"

describe("the API's event store", () => {
  it("moves the read model's version once per record written through it, after the write; reads go to the store", async () => {
    await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* EventStore
        let writes = 0
        const api = watched(store, () => writes++)
        const first = aMaterialization("raw_film", null)
        yield* api.recordMaterialization(first)
        expect(writes).toBe(1)
        expect((yield* api.materialization(first.id))?.dataVersion).toBe(first.dataVersion)
        // written by another process (straight to the store): readable at once; the version moves only by the poll
        const other = aMaterialization("raw_film", null)
        expect(yield* api.materialization(other.id)).toBeUndefined()
        yield* store.recordMaterialization(other)
        expect(writes).toBe(1)
        expect((yield* api.materialization(other.id))?.id).toBe(other.id)
        expect((yield* api.materializationsById([first.id, other.id])).map((m) => m.id).sort()).toEqual([first.id, other.id].sort())
        // a write that fails moves nothing
        const failed = yield* Effect.either(api.recordMaterialization(first))
        expect(failed._tag).toBe("Left")
        expect(writes).toBe(1)
      }).pipe(Effect.provide(SqliteEventStore.layer(":memory:")))
    )
  })
})
