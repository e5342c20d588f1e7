import { Effect, Option } from "effect"
import type { AssetKey } from "../asset/AssetKey.js"
import { EventStore } from "../events/EventStore.js"
import { loadState, observedState, upstreamClosure } from "../execute/materialize.js"
import type { AssetGraph } from "../graph/AssetGraph.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import { contextAt, type PartitionsDefinition } from "../partitions/PartitionsDefinition.js"
import { fingerprints } from "./fingerprint.js"
import { versionsPrinter } from "./versionsPrint.js"
import { StatusCache } from "./StatusCache.js"
import { decodeBody, encodeBody } from "./statusCacheBody.js"
import { StatusResolver, type KnownAsset, type PartitionStatus } from "./StatusResolver.js"
import { cannotExist, cannotExistNow } from "./summary.js"
import { sideOutputsOf, type SideOutputSummary } from "../execute/outputs.js"

/** a cache entry decoded, with what it was computed from */
type Entry = NonNullable<ReturnType<typeof decodeBody>>

/** about this many partitions' records are read and computed at a time */
const BATCH_PARTITIONS = 50_000

/** What a resolver computed of an asset, as the cache would give it back. */
const knownFrom = (resolver: StatusResolver, key: AssetKey): KnownAsset => {
  const def = resolver.graph.get(key)
  const available = resolver.available(key)
  const sideOutputs = new Map<PartitionKey | null, Readonly<Record<string, SideOutputSummary>>>()
  if (def._tag === "Asset" && Object.keys(def.sideOutputs).length > 0) {
    for (const p of available) {
      const m = resolver.state.materialization(key, p)
      const side = m === undefined ? undefined : sideOutputsOf(def, m)
      if (side !== undefined && Object.keys(side).length > 0) sideOutputs.set(p, side)
    }
  }
  return { available, statuses: resolver.statuses(key), sideOutputs, newestAt: resolver.newestMaterializedAt(key), cannotExist: cannotExist(resolver, key) }
}

export interface StatusView {
  readonly resolver: StatusResolver
  /** how many assets were answered from the cache, and how many computed */
  readonly cached: number
  readonly computed: number
  /** of the others, how many were restated from their entry: only their upstreams' statuses had changed */
  readonly restated: number
  /** files what was computed in the cache; a failure to (a read-only store, a busy one) is ignored */
  readonly save: Effect.Effect<void>
}

/**
 * A resolver for the statuses of `keys` that computes only what changed. Each asset whose fingerprint (its
 * definition, its generation, its upstreams' fingerprints, the sources as observed now) matches its cached entry
 * is answered from that entry. One whose entry was computed from the same records, upstream versions and
 * upstream partitions (its versions print) is restated from it: only which of its inputs are stale can differ. The
 * others are computed from their records and the records they read directly, which are all this loads, without
 * their inputs unless a record's digest says it read something else than its inputs hold now; a batch at a time,
 * the records nothing left to compute reads dropped. Without a StatusCache every record upstream of `keys` is
 * read, as before.
 */
export const loadStatus = Effect.fn("Status.load")(function* (
  graph: AssetGraph,
  keys: ReadonlyArray<AssetKey>,
  options: {
    readonly now?: Date
    /** assets whose records the caller reads from the state (their materializations' ids, row counts) */
    readonly recordsOf?: ReadonlyArray<AssetKey>
    /** about how many partitions are computed at a time (records held at once); BATCH_PARTITIONS by default */
    readonly batchPartitions?: number
  } = {}
) {
  const now = options.now ?? new Date()
  const cache = yield* Effect.serviceOption(StatusCache)
  if (Option.isNone(cache)) {
    const resolver = new StatusResolver(graph, yield* loadState(graph, keys), now)
    return { resolver, cached: 0, computed: keys.length, restated: 0, save: Effect.void } satisfies StatusView
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
  // entries whose fingerprint no longer matches: restated when only their upstreams' statuses changed
  const before = new Map<AssetKey, Entry>()
  for (const entry of yield* cache.value.read(assets.filter((k) => prints.has(k)))) {
    const decoded = decodeBody(entry.asset, entry.body, () => keysOf(graph.get(entry.asset).partitions))
    if (decoded === undefined) continue
    if (prints.get(entry.asset) === entry.fingerprint) known.set(entry.asset, decoded)
    else if (decoded.versionsPrint !== undefined) before.set(entry.asset, decoded)
  }
  // in the graph's order, so what an asset reads is computed before it
  const misses = assets.filter((k) => !known.has(k))
  const keep = new Set((options.recordsOf ?? []).filter((k) => graph.get(k)._tag === "Asset"))
  const assetInputs = (k: AssetKey) => graph.inputs(k).flatMap((e) => (graph.get(e.upstream)._tag === "Asset" ? [e.upstream] : []))
  // the position of the last computed asset that needs an asset's records: itself, or one reading it directly
  const lastUse = new Map<AssetKey, number>()
  misses.forEach((k, i) => {
    lastUse.set(k, i)
    for (const up of assetInputs(k)) lastUse.set(up, i)
  })
  const resolver = new StatusResolver(graph, state, now, known)
  const versions = versionsPrinter(graph, resolver, prints, generations, keysOf)
  // Computed in batches of about BATCH_PARTITIONS, each reading the records it needs that are not in yet; once
  // computed, an asset is answered from what was computed (as from the cache), and the records nothing left to
  // compute reads leave the state: a million partitions' status never holds them all.
  const loaded = new Set<AssetKey>()
  const load = (keys: Iterable<AssetKey>) =>
    Effect.gen(function* () {
      const wanted = [...new Set(keys)].filter((k) => !loaded.has(k))
      for (const k of wanted) loaded.add(k)
      // without their inputs: a record whose digest matches what its inputs hold now needs none of them
      if (wanted.length > 0) for (const r of yield* store.currentRecords(wanted)) state.putRecord(r.materialization, r.inputsDigest)
    })
  yield* load(keep)
  const batchPartitions = options.batchPartitions ?? BATCH_PARTITIONS
  let pending: Array<AssetKey> = []
  let pendingPartitions = 0
  /** computes the pending assets from their records; then drops the records nothing after `done` reads */
  const flush = (done: number) =>
    Effect.gen(function* () {
      const batch = pending
      pending = []
      pendingPartitions = 0
      yield* load(batch.flatMap((k) => [k, ...assetInputs(k)]))
      for (const k of batch) resolver.statuses(k)
      // the inputs of the records that read something else than what their inputs hold now, for their causes
      if (resolver.inputsToRead.size > 0) {
        const records = [...resolver.inputsToRead]
        for (const m of yield* store.materializationsById(records.map((m) => m.id))) state.putMaterialization(m)
        resolver.forget(records)
        for (const k of batch) resolver.statuses(k)
      }
      for (const k of batch) resolver.learn(k, knownFrom(resolver, k))
      for (const k of loaded) {
        if (keep.has(k)) continue
        // records nothing left reads go; of those something left reads, their data versions stay
        if ((lastUse.get(k) ?? -1) < done) state.dropRecords(k)
        else if (resolver.knownOf(k) !== undefined) state.slimRecords(k)
      }
    })
  /**
   * Answers an asset from its entry when only its upstreams' statuses changed, or partitions were added at the end
   * of its lists (a new month) that none it had reads; false when it must be computed.
   */
  const restatedFrom = (k: AssetKey, was: Entry): boolean => {
    if (was.versionsPrint !== versions.print(k)) return false
    const lists = versions.compare(k, was.extents)
    if (lists._tag === "changed") return false
    let available = was.available
    let statuses: ReadonlyArray<PartitionStatus> | undefined
    if (lists._tag === "same") statuses = resolver.restate(k, was)
    else {
      // its records are those the entry was computed from (its generation is): the partitions that have one are
      // those it did not find missing
      state.putMaterializedPartitions(k, was.available.filter((p, j): p is PartitionKey => p !== null && was.statuses[j]!.status !== "MISSING"))
      available = resolver.available(k)
      statuses = resolver.restateGrown(k, was, available, lists.inputs)
      if (statuses === undefined) {
        resolver.forgetAsset(k)
        return false
      }
    }
    // answered from its new statuses first: why its partitions that are not there cannot exist is then worked out
    // again from them (it reads the upstreams' definitions, which the versions print does not cover)
    resolver.learn(k, { ...was, available, statuses })
    resolver.learn(k, { ...was, available, statuses, cannotExist: cannotExistNow(resolver, k) })
    return true
  }
  let restated = 0
  for (let i = 0; i < misses.length; i++) {
    const k = misses[i]!
    const was = before.get(k)
    // an asset reading its own partitions is computed: its statuses would be restated from their own old ones
    if (was !== undefined && !graph.inputs(k).some((e) => e.self)) {
      // restating needs what it reads settled first
      if (pending.length > 0 && assetInputs(k).some((up) => resolver.knownOf(up) === undefined)) yield* flush(i)
      if (restatedFrom(k, was)) {
        restated++
        continue
      }
    }
    pending.push(k)
    pendingPartitions += Math.max(1, keysOf(graph.get(k).partitions).length)
    if (pendingPartitions >= batchPartitions) yield* flush(i + 1)
  }
  if (pending.length > 0) yield* flush(misses.length)
  const save = Effect.suspend(() => {
    const entries = misses.flatMap((asset) => {
      const fingerprint = prints.get(asset)
      return fingerprint === undefined ? [] : [{ asset, fingerprint, body: encodeBody(resolver, asset, { print: versions.print(asset), extents: versions.extents(asset) }) }]
    })
    return entries.length === 0 ? Effect.void : cache.value.write(entries)
  }).pipe(Effect.ignore)
  return { resolver, cached: known.size, computed: misses.length - restated, restated, save } satisfies StatusView
})
