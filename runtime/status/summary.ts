import { Effect } from "effect"
import { EventStore } from "../events/EventStore.js"
import { LeaseStore } from "../lease/LeaseStore.js"
import type { AssetKey } from "../asset/AssetKey.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import { describeCause, type Cause } from "./Cause.js"
import { slot } from "./State.js"
import type { Freshness, StatusResolver } from "./StatusResolver.js"

/** What is happening to an asset partition now, beside its freshness: a live lease, or a failure since its last success. */
export type RunState = "RUNNING" | "FAILED" | null

export interface RunStates {
  readonly running: ReadonlySet<string>
  /** latest failure time by slot */
  readonly failed: ReadonlyMap<string, string>
}

export interface AssetStatusSummary {
  readonly asset: AssetKey
  readonly kind: "asset" | "source"
  readonly partitioned: boolean
  /** the worst of its partitions: MISSING over STALE over FRESH */
  readonly status: Freshness
  readonly counts: Readonly<Record<Freshness, number>> & { readonly RUNNING: number; readonly FAILED: number }
  readonly partitions: ReadonlyArray<{
    readonly partition: PartitionKey | null
    readonly status: Freshness
    readonly causes: ReadonlyArray<Cause & { readonly message: string }>
    readonly run: RunState
  }>
}

/** Status of every available partition of an asset, with counts and readable causes. */
export const summarize = (resolver: StatusResolver, key: AssetKey, runs: RunStates = { running: new Set(), failed: new Map() }): AssetStatusSummary => {
  const def = resolver.graph.get(key)
  const statuses = resolver.statuses(key)
  const counts = { MISSING: 0, STALE: 0, FRESH: 0, RUNNING: 0, FAILED: 0 }
  const runOf = (p: PartitionKey | null): RunState => {
    const id = slot(key, p)
    if (runs.running.has(id)) return "RUNNING"
    const failedAt = runs.failed.get(id)
    const m = resolver.state.materialization(key, p)
    return failedAt !== undefined && (m === undefined || m.endedAt < failedAt) ? "FAILED" : null
  }
  for (const s of statuses) {
    counts[s.status]++
    const r = runOf(s.partition)
    if (r !== null) counts[r]++
  }
  return {
    asset: key,
    kind: def._tag === "Source" ? "source" : "asset",
    partitioned: def.partitions !== undefined,
    status: counts.MISSING > 0 ? "MISSING" : counts.STALE > 0 ? "STALE" : "FRESH",
    counts,
    partitions: statuses.map((s) => ({
      partition: s.partition,
      status: s.status,
      causes: s.causes.map((c) => ({ ...c, message: describeCause(c) })),
      run: runOf(s.partition)
    }))
  }
}

/** Live leases and latest failures of some assets: two small queries, whatever the number of partitions. */
export const loadRunStates = Effect.fn("Status.runStates")(function* (keys: ReadonlyArray<AssetKey>) {
  const leases = yield* LeaseStore
  const store = yield* EventStore
  const running = new Set((yield* leases.live(keys)).map((l) => slot(l.asset, l.partition)))
  const failed = new Map((yield* store.failures(keys)).map((f) => [slot(f.asset, f.partition), f.at] as const))
  return { running, failed } satisfies RunStates
})
