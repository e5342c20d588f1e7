import { Data, Effect } from "effect"
import type { Observation as SourceObservation } from "../asset/Asset.js"
import type { AssetKey } from "../asset/AssetKey.js"
import { EventStore } from "../events/EventStore.js"
import { newId } from "../events/ids.js"
import type { Observation } from "../events/records.js"
import type { AssetGraph } from "../graph/AssetGraph.js"
import { messageOf } from "./materializePartition.js"

export class ObserveError extends Data.TaggedError("ObserveError")<{
  readonly source: string
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * Observes the given sources and records what changed. Versions a source no longer reports (a month whose files
 * were removed) are kept out of the returned list, so callers see exactly what exists now.
 */
export const observeSources = Effect.fn("Runtime.observeSources")(function* (graph: AssetGraph, keys: ReadonlyArray<AssetKey>) {
  const store = yield* EventStore
  const sources = keys.map((k) => graph.get(k)).filter((d) => d._tag === "Source")
  const now = new Date().toISOString()
  const observed = yield* Effect.forEach(
    sources,
    (source) =>
      // a source's own requirements are checked against the project's layer by defineProject
      (source.observe as Effect.Effect<SourceObservation, unknown, never>).pipe(
        Effect.mapError((cause) => new ObserveError({ source: source.key, message: `observing source '${source.key}' failed: ${messageOf(cause)}`, cause })),
        Effect.map((o): ReadonlyArray<Observation> =>
          o._tag === "Whole"
            ? [{ id: newId("o"), asset: source.key, partition: null, dataVersion: o.dataVersion, observedAt: now }]
            : [...o.partitions].map(([partition, dataVersion]) => ({ id: newId("o"), asset: source.key, partition, dataVersion, observedAt: now }))
        )
      ),
    { concurrency: 4 }
  )
  const flat = observed.flat()
  yield* store.recordObservations(flat)
  const current = yield* store.currentObservations(sources.map((s) => s.key))
  const live = new Set(flat.map((o) => `${o.asset}\u0000${o.partition ?? ""}`))
  return current.filter((o) => live.has(`${o.asset}\u0000${o.partition ?? ""}`))
})
