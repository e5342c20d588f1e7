import { Data, Effect } from "effect"
import type { Observation as SourceObservation } from "../asset/Asset.js"
import type { AssetKey } from "../asset/AssetKey.js"
import { dataVersionProblem, MAX_DATA_VERSION } from "../asset/versionLimits.js"
import { EventStore } from "../events/EventStore.js"
import { newId } from "../events/ids.js"
import type { Observation } from "../events/records.js"
import type { AssetGraph } from "../graph/AssetGraph.js"
import { dynamicKeyProblem } from "../partitions/DynamicPartitions.js"
import type { MultiPartitions } from "../partitions/MultiPartitions.js"
import type { PartitionContext, PartitionsDefinition } from "../partitions/PartitionsDefinition.js"
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
  /** keys of dynamic partitions the observations hold that are not stored yet, by definition name */
  readonly newDynamicKeys: ReadonlyMap<string, ReadonlyArray<string>>
  /** the sources whose observation failed or did not fit their partitions, with why: nothing of theirs is kept */
  readonly failed: ReadonlyMap<AssetKey, ObserveError>
}

/**
 * Whether an observation fits its source's partitions: versions the stores keep, one for an unpartitioned source,
 * one by key for a partitioned one, every key one of its keys (a dynamic definition's new keys are collected to be
 * added).
 */
const fitProblem = (
  source: { readonly key: string; readonly partitions: PartitionsDefinition | undefined },
  o: SourceObservation,
  ctx: PartitionContext,
  newKeys: Map<string, Set<string>>
): string | undefined => {
  const versions: ReadonlyArray<readonly [string | null, unknown]> = o._tag === "Whole" ? [[null, o.dataVersion]] : [...o.partitions]
  for (const [partition, version] of versions) {
    const problem = dataVersionProblem(version)
    if (problem === undefined) continue
    const where = partition === null ? "" : ` for ${partition}`
    const preview = typeof version === "string" && version.length > 0 ? ` (${version.slice(0, 20)}…)` : ""
    return `source '${source.key}' observed ${problem}${where}${preview}: give 1 to ${MAX_DATA_VERSION} characters (a hash of a longer value will do); nothing of this observation was kept`
  }
  const def = source.partitions
  if (def === undefined) {
    return o._tag === "Whole" ? undefined : `source '${source.key}' is not partitioned, but its observation gave versions by partition: return { _tag: "Whole", dataVersion }`
  }
  if (o._tag === "Whole") return `source '${source.key}' is partitioned (${def.describe}), but its observation gave one version: return { _tag: "Partitioned", partitions } with a version per key`
  const bad: Array<string> = []
  const adding = new Map<string, Set<string>>()
  const fits = (d: PartitionsDefinition, key: string): boolean => {
    if (d._tag === "Dynamic") {
      if (dynamicKeyProblem(key) !== undefined) return false
      const name = (d as PartitionsDefinition & { name: string }).name
      if (!d.contains(key, ctx)) adding.set(name, (adding.get(name) ?? new Set()).add(key))
      return true
    }
    if (d._tag === "Multi") {
      const multi = d as MultiPartitions
      const parts = multi.split(key)
      return parts !== undefined && multi.dims.every((dim, i) => fits(dim.def, parts[i]!))
    }
    return d.contains(key, ctx)
  }
  for (const key of o.partitions.keys()) if (!fits(def, key)) bad.push(key)
  if (bad.length > 0) {
    return `source '${source.key}' observed ${bad.length} partition${bad.length === 1 ? "" : "s"} that ${bad.length === 1 ? "is" : "are"} not among its keys: ${bad
      .slice(0, 5)
      .join(", ")}${bad.length > 5 ? ", ..." : ""} (its partitions ${def.rangeText(ctx)}); nothing of this observation was kept`
  }
  for (const [name, keys] of adding) for (const k of keys) newKeys.set(name, (newKeys.get(name) ?? new Set()).add(k))
  return undefined
}

/**
 * Observes the given sources and compares with what the store holds; writes nothing, so read commands can
 * observe. Versions a source no longer reports (a month whose files were removed) are absent, so callers see
 * exactly what exists now. Commands that record materializations store `changed` first (`recordObserved`).
 */
export const observeSources = Effect.fn("Runtime.observeSources")(function* (
  graph: AssetGraph,
  keys: ReadonlyArray<AssetKey>,
  ctx: PartitionContext
) {
  const store = yield* EventStore
  const sources = keys.map((k) => graph.get(k)).filter((d) => d._tag === "Source")
  const failed = new Map<AssetKey, ObserveError>()
  const newKeys = new Map<string, Set<string>>()
  if (sources.length === 0) return { observations: [], changed: [], newDynamicKeys: new Map(), failed } satisfies Observed
  const now = new Date().toISOString()
  const observed = yield* Effect.forEach(
    sources,
    (source) =>
      // a source's own requirements are checked against the project's layer by defineProject
      (source.observe as Effect.Effect<SourceObservation, unknown, never>).pipe(
        Effect.mapError((cause) => new ObserveError({ source: source.key, message: `observing source '${source.key}' failed: ${messageOf(cause)}`, cause })),
        Effect.flatMap((o) => {
          const problem = fitProblem(source, o, ctx, newKeys)
          return problem === undefined ? Effect.succeed(o) : Effect.fail(new ObserveError({ source: source.key, message: problem }))
        }),
        Effect.map((o): ReadonlyArray<readonly [AssetKey, string | null, string]> =>
          o._tag === "Whole" ? [[source.key, null, o.dataVersion]] : [...o.partitions].map(([partition, dataVersion]) => [source.key, partition, dataVersion] as const)
        ),
        Effect.catchAll((e) => Effect.sync(() => failed.set(source.key, e)).pipe(Effect.as([])))
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
  const newDynamicKeys = new Map([...newKeys].map(([name, set]) => [name, [...set]] as const))
  return { observations, changed, newDynamicKeys, failed } satisfies Observed
})
