import { Duration } from "effect"
import type { AssetKey } from "../asset/AssetKey.js"
import type { StatusResolver } from "../status/StatusResolver.js"

/** An asset's freshness policy as it stands now. */
export interface FreshnessView {
  readonly maxLag: string
  /** when its newest current materialization ended; null when never materialized */
  readonly newestAt: string | null
  /** how old its newest data is (ms), when it is not fresh; 0 when every partition is fresh */
  readonly lagMs: number | null
  readonly overdue: boolean
}

/**
 * Whether an asset with a freshness policy is overdue: it is not fresh (an input has data it has not read, or it
 * is missing) and its newest materialization is older than `maxLag`. A fresh asset is never overdue, however old:
 * nothing newer exists for it to show.
 */
export const freshnessOf = (resolver: StatusResolver, key: AssetKey, now: number = resolver.now.getTime()): FreshnessView | undefined => {
  const def = resolver.graph.get(key)
  if (def._tag !== "Asset" || def.freshness === undefined) return undefined
  const maxLagMs = Duration.toMillis(def.freshness.maxLag)
  const statuses = resolver.statuses(key)
  const newest = resolver.newestMaterializedAt(key)
  const fresh = statuses.length > 0 && statuses.every((s) => s.status === "FRESH")
  const lagMs = fresh ? 0 : newest === undefined ? null : Math.max(0, now - newest)
  return {
    maxLag: Duration.format(def.freshness.maxLag),
    newestAt: newest === undefined ? null : new Date(newest).toISOString(),
    lagMs,
    overdue: !fresh && (lagMs === null || lagMs > maxLagMs)
  }
}

/** `overdue: its newest data is 2h 5m old, 15m allowed` */
export const describeFreshness = (f: FreshnessView): string =>
  f.overdue
    ? `overdue: ${f.lagMs === null ? "never materialized" : `its newest data is ${Duration.format(Duration.millis(Math.round(f.lagMs / 1000) * 1000))} old`}, ${f.maxLag} allowed`
    : `within its freshness policy (${f.maxLag})`
