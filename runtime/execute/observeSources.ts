import { Data, Effect } from "effect"
import type { Observation as SourceObservation } from "../asset/Asset.js"
import type { AssetKey } from "../asset/AssetKey.js"
import { EventStore } from "../events/EventStore.js"
import { newId } from "../events/ids.js"
import type { Observation } from "../events/records.js"
import type { AssetGraph } from "../graph/AssetGraph.js"
import { slot } from "../status/State.js"
import { messageOf } from "./materializePartition.js"

export class ObserveError extends Data.TaggedError("ObserveError")<{
  readonly source: string
  readonly message: string
  readonly cause?: unknown
}> {}

export interface Observed {
  /** what each source holds now: a version unchanged since the store's keeps its stored observation (and id) */
  readonly observations: ReadonlyArray<Observation>
  /** the new or changed versions among them, not stored yet */
  readonly changed: ReadonlyArray<Observation>
}

/**
 * Observes the given sources and compares with what the store holds; writes nothing, so read commands can
 * observe. Versions a source no longer reports (a month whose files were removed) are absent, so callers see
 * exactly what exists now. Commands that record materializations store `changed` first (`recordObserved`).
 */
export const observeSources = Effect.fn("Runtime.observeSources")(function* (graph: AssetGraph, keys: ReadonlyArray<AssetKey>) {
  const store = yield* EventStore
  const sources = keys.map((k) => graph.get(k)).filter((d) => d._tag === "Source")
  if (sources.length === 0) return { observations: [], changed: [] } satisfies Observed
  const now = new Date().toISOString()
  const observed = yield* Effect.forEach(
    sources,
    (source) =>
      // a source's own requirements are checked against the project's layer by defineProject
      (source.observe as Effect.Effect<SourceObservation, unknown, never>).pipe(
        Effect.mapError((cause) => new ObserveError({ source: source.key, message: `observing source '${source.key}' failed: ${messageOf(cause)}`, cause })),
        Effect.map((o): ReadonlyArray<readonly [AssetKey, string | null, string]> =>
          o._tag === "Whole" ? [[source.key, null, o.dataVersion]] : [...o.partitions].map(([partition, dataVersion]) => [source.key, partition, dataVersion] as const)
        )
      ),
    { concurrency: 4 }
  )
  const stored = new Map((yield* store.currentObservations(sources.map((s) => s.key))).map((o) => [slot(o.asset, o.partition), o]))
  const observations: Array<Observation> = []
  const changed: Array<Observation> = []
  for (const [asset, partition, dataVersion] of observed.flat()) {
    const known = stored.get(slot(asset, partition))
    if (known !== undefined && known.dataVersion === dataVersion) observations.push(known)
    else {
      const o = { id: newId("o"), asset, partition, dataVersion, observedAt: now } as Observation
      observations.push(o)
      changed.push(o)
    }
  }
  return { observations, changed } satisfies Observed
})
