import type { AssetKey } from "../asset/AssetKey.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import { describeCause, type Cause } from "./Cause.js"
import type { Freshness, StatusResolver } from "./StatusResolver.js"

export interface AssetStatusSummary {
  readonly asset: AssetKey
  readonly kind: "asset" | "source"
  readonly partitioned: boolean
  /** the worst of its partitions: MISSING over STALE over FRESH */
  readonly status: Freshness
  readonly counts: Readonly<Record<Freshness, number>>
  readonly partitions: ReadonlyArray<{
    readonly partition: PartitionKey | null
    readonly status: Freshness
    readonly causes: ReadonlyArray<Cause & { readonly message: string }>
  }>
}

/** Status of every available partition of an asset, with counts and readable causes. */
export const summarize = (resolver: StatusResolver, key: AssetKey): AssetStatusSummary => {
  const def = resolver.graph.get(key)
  const statuses = resolver.statuses(key)
  const counts = { MISSING: 0, STALE: 0, FRESH: 0 }
  for (const s of statuses) counts[s.status]++
  return {
    asset: key,
    kind: def._tag === "Source" ? "source" : "asset",
    partitioned: def.partitions !== undefined,
    status: counts.MISSING > 0 ? "MISSING" : counts.STALE > 0 ? "STALE" : "FRESH",
    counts,
    partitions: statuses.map((s) => ({
      partition: s.partition,
      status: s.status,
      causes: s.causes.map((c) => ({ ...c, message: describeCause(c) }))
    }))
  }
}
