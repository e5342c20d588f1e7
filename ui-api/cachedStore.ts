import { Context, Duration, Effect, Layer, Schedule } from "effect"
import { EventStore } from "../runtime/events/EventStore.js"
import type { Materialization } from "../runtime/events/records.js"
import { Lru } from "./lru.js"

/**
 * How current the API's view of the materializations is: a version that moves when this process records a
 * materialization (at once) or when another process has (seen by polling the newest id). Responses built only
 * from materializations can be reused while it stands still.
 */
export class ReadModel extends Context.Tag("ui-api/ReadModel")<ReadModel, { readonly version: () => number }>() {}

/**
 * The event store as the API reads it: a materialization never changes once recorded, so lookups by id are
 * kept in a bounded LRU map; everything that can change still goes to the store.
 */
export const cached = (store: EventStore["Type"], onWrite: () => void, capacity = 100_000): EventStore["Type"] => {
  const byId = new Lru<string, Materialization>(capacity)
  return EventStore.of({
    ...store,
    recordMaterialization: (m, events) => Effect.tap(store.recordMaterialization(m, events), () => Effect.sync(onWrite)),
    materialization: (id) =>
      Effect.suspend(() => {
        const hit = byId.get(id)
        if (hit !== undefined) return Effect.succeed(hit)
        return Effect.tap(store.materialization(id), (m) => (m === undefined ? Effect.void : Effect.sync(() => byId.set(m.id, m))))
      }),
    // the ids not kept are read from the store at once
    materializationsById: (ids) =>
      Effect.suspend(() => {
        const hits: Array<Materialization> = []
        const misses: Array<string> = []
        for (const id of ids) {
          const hit = byId.get(id)
          if (hit !== undefined) hits.push(hit)
          else misses.push(id)
        }
        if (misses.length === 0) return Effect.succeed(hits)
        return Effect.map(store.materializationsById(misses), (read) => {
          for (const m of read) byId.set(m.id, m)
          return hits.concat(read)
        })
      })
  })
}

/** How often another process's materializations become visible to the API's reused responses. */
const POLL = Duration.millis(200)

/** Replaces the EventStore of the layer below with the cached one, and provides the read model's version. */
export const layer = Layer.scopedContext(
  Effect.gen(function* () {
    const store = yield* EventStore
    let version = 0
    let newest = yield* store.latestMaterializationId.pipe(Effect.orElseSucceed(() => null))
    yield* Effect.forkScoped(
      store.latestMaterializationId.pipe(
        Effect.tap((id) =>
          Effect.sync(() => {
            if (id !== newest) {
              newest = id
              version++
            }
          })
        ),
        Effect.ignore,
        Effect.repeat(Schedule.spaced(POLL))
      )
    )
    return Context.make(EventStore, cached(store, () => version++)).pipe(Context.add(ReadModel, ReadModel.of({ version: () => version })))
  })
)
