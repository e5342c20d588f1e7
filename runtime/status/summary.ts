import { Effect } from "effect"
import { EventStore } from "../events/EventStore.js"
import { holderDied } from "../execute/liveness.js"
import { LeaseStore } from "../lease/LeaseStore.js"
import type { AssetKey } from "../asset/AssetKey.js"
import { noCheckStates, type CheckStates, type ShownCheck } from "../checks/checkStates.js"
import type { Failure } from "../events/records.js"
import type { SideOutputSummary } from "../execute/outputs.js"
import { keyRanges } from "../partitions/keyRanges.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import { describeCause, type Cause } from "./Cause.js"
import { slot } from "./State.js"
import type { Freshness, PartitionStatus, StatusResolver } from "./StatusResolver.js"

/** What is happening to an asset partition now, beside its freshness: a live lease, or a failure since its last success. */
export type RunState = "RUNNING" | "FAILED" | null

/** What a person is shown for a partition: its freshness, unless its latest attempt failed. */
export type ShownStatus = Freshness | "FAILED"

export interface RunStates {
  readonly running: ReadonlySet<string>
  /** the latest failure by slot, of partitions whose latest attempt failed */
  readonly failed: ReadonlyMap<string, Failure>
}

/** One partition as status shows it. */
export interface PartitionShown {
  readonly partition: PartitionKey | null
  readonly status: ShownStatus
  readonly freshness: Freshness
  readonly causes: ReadonlyArray<Cause & { readonly message: string }>
  readonly run: RunState
  /** the failed attempt (its run and whole error) when status is FAILED */
  readonly failure: Failure | null
  /** what the current materialization's side outputs hold (e.g. rejected lines by reason) */
  readonly sideOutputs: Readonly<Record<string, SideOutputSummary>>
  /** its checks whose latest result failed or warned */
  readonly checks: ReadonlyArray<ShownCheck>
}

export interface AssetStatusSummary {
  readonly asset: AssetKey
  readonly kind: "asset" | "source"
  readonly partitioned: boolean
  /** the worst of its partitions: FAILED over MISSING over STALE over FRESH */
  readonly status: ShownStatus
  readonly counts: Readonly<Record<ShownStatus, number>> & { readonly RUNNING: number }
  /** each a ShownPartition: `shown()` copies one with its causes (a spread leaves them out) */
  readonly partitions: ReadonlyArray<PartitionShown & { shown(): PartitionShown }>
  /** checks defined now whose latest results some partitions hold from an earlier definition */
  readonly staleChecks: ReadonlyArray<{ readonly check: string; readonly partitions: number }>
  /** partitions within the definition that can never exist, grouped by why (e.g. "upstream X starts 2024-05") */
  readonly cannotExist: ReadonlyArray<{ readonly partitions: string; readonly reason: string }>
}

type ShownCause = Cause & { readonly message: string }

/**
 * One partition as status shows it. Its readable causes are written when first read: a text status reads those of
 * six partitions an asset, and downstream of a change there are hundreds of thousands. JSON gets them all (toJSON);
 * a copy is made with `shown()`, since a spread would leave them out. A class: an object with a getter of its own
 * cost about ten times as much to make, a million times.
 */
class ShownPartition implements PartitionShown {
  #causes: ReadonlyArray<ShownCause> | undefined
  readonly #of: PartitionStatus
  readonly partition: PartitionKey | null
  readonly freshness: Freshness
  constructor(
    of: PartitionStatus,
    readonly status: ShownStatus,
    readonly run: RunState,
    readonly failure: Failure | null,
    readonly sideOutputs: Readonly<Record<string, SideOutputSummary>>,
    readonly checks: ReadonlyArray<ShownCheck>
  ) {
    this.#of = of
    this.partition = of.partition
    this.freshness = of.status
  }

  get causes(): ReadonlyArray<ShownCause> {
    return (this.#causes ??= this.#of.causes.length === 0 ? noCauses : this.#of.causes.map((c) => ({ ...c, message: describeCause(c) })))
  }

  /** the partition as a plain object, causes written (what JSON shows) */
  shown(): PartitionShown {
    const { partition, status, freshness, causes, run, failure, sideOutputs, checks } = this
    return { partition, status, freshness, causes, run, failure, sideOutputs, checks }
  }

  toJSON() {
    return this.shown()
  }
}

const worst: ReadonlyArray<ShownStatus> = ["FAILED", "MISSING", "STALE", "FRESH"]
const noChecks: ReadonlyArray<ShownCheck> = Object.freeze([])
const noCauses: ReadonlyArray<ShownCause> = Object.freeze([])

/** Status of every available partition of an asset, with counts and readable causes. */
export const summarize = (
  resolver: StatusResolver,
  key: AssetKey,
  runs: RunStates = { running: new Set(), failed: new Map() },
  checks: CheckStates = noCheckStates
): AssetStatusSummary => {
  const def = resolver.graph.get(key)
  const statuses = resolver.statuses(key)
  const counts = { MISSING: 0, STALE: 0, FRESH: 0, FAILED: 0, RUNNING: 0 }
  // a slot's text is built only when a run, a failure or a check could be filed under it (600,000 partitions)
  const live = runs.failed.size > 0 || runs.running.size > 0 || checks.failing.size > 0
  const partitions = statuses.map((s) => {
    const id = live ? slot(key, s.partition) : ""
    const failure = live ? (runs.failed.get(id) ?? null) : null
    const run: RunState = live && runs.running.has(id) ? "RUNNING" : failure !== null ? "FAILED" : null
    const status: ShownStatus = failure !== null ? "FAILED" : s.status
    counts[status]++
    if (run === "RUNNING") counts.RUNNING++
    const sideOutputs = resolver.sideOutputs(key, s.partition)
    const failing = live ? (checks.failing.get(id) ?? noChecks) : noChecks
    return new ShownPartition(s, status, run, failure, sideOutputs, failing)
  })
  return {
    asset: key,
    kind: def._tag === "Source" ? "source" : "asset",
    partitioned: def.partitions !== undefined,
    status: worst.find((w) => counts[w] > 0) ?? "FRESH",
    counts,
    partitions,
    staleChecks: checks.stale.get(key) ?? [],
    cannotExist: cannotExist(resolver, key)
  }
}

/** The partitions of a partitioned asset, up to its last one, that no data could bring into being, grouped by reason. */
export const cannotExist = (resolver: StatusResolver, key: AssetKey): AssetStatusSummary["cannotExist"] =>
  resolver.knownOf(key)?.cannotExist ?? cannotExistNow(resolver, key)

/** The same, worked out now (an entry restated from the cache may name reasons that no longer hold). */
export const cannotExistNow = (resolver: StatusResolver, key: AssetKey): AssetStatusSummary["cannotExist"] => {
  const def = resolver.graph.get(key)
  if (def._tag === "Source" || def.partitions === undefined) return []
  if (!resolver.graph.inputs(key).some((e) => !e.self && resolver.graph.get(e.upstream).partitions !== undefined)) return []
  const byReason = new Map<string, Array<PartitionKey>>()
  for (const p of def.partitions.keys(resolver.ctx)) {
    const why = resolver.isAvailable(key, p) ? undefined : resolver.impossibility(key, p)
    if (why !== undefined) byReason.set(why, [...(byReason.get(why) ?? []), p])
  }
  return [...byReason].map(([reason, ps]) => ({ partitions: keyRanges(ps, def.partitions), reason }))
}

/** Live leases and latest failures of some assets: two small queries, whatever the number of partitions. */
export const loadRunStates = Effect.fn("Status.runStates")(function* (keys: ReadonlyArray<AssetKey>) {
  const leases = yield* LeaseStore
  const store = yield* EventStore
  // a killed runner's leases stay until they lapse: its partitions are not running meanwhile (as its run is ABANDONED)
  const running = new Set((yield* leases.live(keys)).filter((l) => !holderDied(l.holder)).map((l) => slot(l.asset, l.partition)))
  const failed = new Map((yield* store.failures(keys)).map((f) => [slot(f.asset, f.partition), f] as const))
  return { running, failed } satisfies RunStates
})
