import { Effect, Option } from "effect"
import type { AssetKey } from "../asset/AssetKey.js"
import { EventStore } from "../events/EventStore.js"
import { loadState, observedState, upstreamClosure } from "../execute/materialize.js"
import type { AssetGraph } from "../graph/AssetGraph.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import { contextAt, type PartitionsDefinition } from "../partitions/PartitionsDefinition.js"
import { fingerprints } from "./fingerprint.js"
import { StatusCache } from "./StatusCache.js"
import { decodeBody, encodeBody } from "./statusCacheBody.js"
import { StatusResolver, type KnownAsset } from "./StatusResolver.js"

export interface StatusView {
  readonly resolver: StatusResolver
  /** how many assets were answered from the cache, and how many computed */
  readonly cached: number
  readonly computed: number
  /** files what was computed in the cache; a failure to (a read-only store, a busy one) is ignored */
  readonly save: Effect.Effect<void>
}

/**
 * A resolver for the statuses of `keys` that computes only what changed. Each asset whose fingerprint (its
 * definition, its generation, its upstreams' fingerprints, the sources as observed now) matches its cached entry
 * is answered from that entry; the others are computed from their records and the records they read directly,
 * which are all this loads, without their inputs unless a record's digest says it read something else than its
 * inputs hold now. Without a StatusCache every record upstream of `keys` is read, as before.
 */
export const loadStatus = Effect.fn("Status.load")(function* (
  graph: AssetGraph,
  keys: ReadonlyArray<AssetKey>,
  options: {
    readonly now?: Date
    /** assets whose records the caller reads from the state (their materializations' ids, row counts) */
    readonly recordsOf?: ReadonlyArray<AssetKey>
  } = {}
) {
  const now = options.now ?? new Date()
  const cache = yield* Effect.serviceOption(StatusCache)
  if (Option.isNone(cache)) {
    const resolver = new StatusResolver(graph, yield* loadState(graph, keys), now)
    return { resolver, cached: 0, computed: keys.length, save: Effect.void } satisfies StatusView
  }
  const store = yield* EventStore
  const closure = upstreamClosure(graph, keys)
  const assets = closure.filter((k) => graph.get(k)._tag === "Asset")
  // The generations are read before any record. Statuses computed from records newer than the generations read
  // are then filed under a generation the store has already left behind, so no later status reads them.
  const generations = yield* cache.value.generations(assets)
  const state = yield* observedState(graph, closure)
  const ctx = contextAt(now, state.dynamicPartitions)
  const prints = fingerprints(graph, closure, state, generations, ctx)
  // one list of keys per definition, shared by the assets that have it
  const keyLists = new Map<PartitionsDefinition, ReadonlyArray<PartitionKey>>()
  const keysOf = (def: PartitionsDefinition | undefined): ReadonlyArray<PartitionKey> => {
    if (def === undefined) return []
    let keys = keyLists.get(def)
    if (keys === undefined) keyLists.set(def, (keys = def.keys(ctx)))
    return keys
  }
  const known = new Map<AssetKey, KnownAsset>()
  for (const entry of yield* cache.value.read(assets.filter((k) => prints.has(k)))) {
    if (prints.get(entry.asset) !== entry.fingerprint) continue
    const decoded = decodeBody(entry.asset, entry.body, () => keysOf(graph.get(entry.asset).partitions))
    if (decoded !== undefined) known.set(entry.asset, decoded)
  }
  const misses = assets.filter((k) => !known.has(k))
  // the records of what is computed again, and of what it reads directly (their versions are its inputs')
  const load = new Set<AssetKey>([...misses, ...(options.recordsOf ?? []).filter((k) => graph.get(k)._tag === "Asset")])
  for (const k of misses) for (const e of graph.inputs(k)) if (graph.get(e.upstream)._tag === "Asset") load.add(e.upstream)
  // without their inputs: a record whose digest matches what its inputs hold now needs none of them
  if (load.size > 0) for (const r of yield* store.currentRecords([...load])) state.putRecord(r.materialization, r.inputsDigest)
  const resolver = new StatusResolver(graph, state, now, known)
  // every status computed now, in order; then the inputs of the records that read something else than what
  // their inputs hold, for their causes
  for (const k of misses) resolver.statuses(k)
  if (resolver.inputsToRead.size > 0) {
    const records = [...resolver.inputsToRead]
    for (const m of yield* store.materializationsById(records.map((m) => m.id))) state.putMaterialization(m)
    resolver.forget(records)
  }
  const save = Effect.suspend(() => {
    const entries = misses.flatMap((asset) => {
      const fingerprint = prints.get(asset)
      return fingerprint === undefined ? [] : [{ asset, fingerprint, body: encodeBody(resolver, asset) }]
    })
    return entries.length === 0 ? Effect.void : cache.value.write(entries)
  }).pipe(Effect.ignore)
  return { resolver, cached: known.size, computed: misses.length, save } satisfies StatusView
})
