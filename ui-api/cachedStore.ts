import { Effect, Layer } from "effect"
import { EventStore } from "../runtime/events/EventStore.js"
import type { Materialization } from "../runtime/events/records.js"

/**
 * The event store as the API reads it: a materialization never changes once recorded, so lookups by id are
 * kept in a bounded LRU map. Lineage upstream walks only such lookups; everything that can change (current
 * materializations, history pages, consumers, runs) still goes to the store on every request.
 */
export const cached = (store: EventStore["Type"], capacity = 100_000): EventStore["Type"] => {
  const byId = new Map<string, Materialization>()
  const remember = (m: Materialization) => {
    if (byId.size >= capacity) byId.delete(byId.keys().next().value!)
    byId.set(m.id, m)
  }
  return EventStore.of({
    ...store,
    materialization: (id) =>
      Effect.suspend(() => {
        const hit = byId.get(id)
        if (hit !== undefined) {
          // most recently used last
          byId.delete(id)
          byId.set(id, hit)
          return Effect.succeed(hit)
        }
        return Effect.tap(store.materialization(id), (m) => (m === undefined ? Effect.void : Effect.sync(() => remember(m))))
      })
  })
}

/** Replaces the EventStore of the layer below with the cached one. */
export const layer = Layer.effect(EventStore, Effect.map(EventStore, (store) => cached(store)))
