import { Effect } from "effect"
import type { AssetKey } from "../asset/AssetKey.js"
import type { AssetGraph } from "../graph/AssetGraph.js"
import { slot } from "../status/State.js"
import type { CheckResult } from "./CheckResult.js"
import { CheckStore } from "./CheckStore.js"

/** A check's latest result as status shows it: failed or warned, and whether the check changed since it ran. */
export interface ShownCheck {
  readonly check: string
  readonly status: CheckResult["status"]
  readonly severity: CheckResult["severity"]
  readonly blocking: boolean
  readonly failingRows: number | null
  readonly message: string
  readonly sample: CheckResult["sample"]
  readonly materializationId: string
  readonly at: string
  /** the check's definition changed since this result: `assets check` runs it again */
  readonly stale: boolean
}

export interface CheckStates {
  /** the failed and warned latest results of each asset partition, by slot */
  readonly failing: ReadonlyMap<string, ReadonlyArray<ShownCheck>>
  /** per asset, the checks defined now whose latest results some partitions hold at another version */
  readonly stale: ReadonlyMap<AssetKey, ReadonlyArray<{ readonly check: string; readonly partitions: number }>>
}

export const noCheckStates: CheckStates = { failing: new Map(), stale: new Map() }

export const shownCheck = (r: CheckResult, currentVersion: string | undefined): ShownCheck => ({
  check: r.check,
  status: r.status,
  severity: r.severity,
  blocking: r.blocking,
  failingRows: r.failingRows,
  message: r.message,
  sample: r.sample,
  materializationId: r.materializationId,
  at: r.at,
  stale: currentVersion !== undefined && currentVersion !== r.checkVersion
})

/**
 * What status shows of the checks of some assets, in two small queries whatever the history: the failing latest
 * results, and the latest results counted by check version (stale ones are those at another version than now).
 * Results of checks no longer defined are left out.
 */
export const loadCheckStates = Effect.fn("Status.checkStates")(function* (graph: AssetGraph, keys: ReadonlyArray<AssetKey>) {
  const versions = new Map<AssetKey, Map<string, string>>()
  for (const k of keys) {
    const def = graph.get(k)
    if (def._tag === "Asset" && def.checks.length > 0) versions.set(k, new Map(def.checks.map((c) => [c.name, c.version])))
  }
  if (versions.size === 0) return noCheckStates
  const store = yield* CheckStore
  const assets = [...versions.keys()]
  const failing = new Map<string, Array<ShownCheck>>()
  for (const r of yield* store.latest(assets, { failing: true })) {
    const version = versions.get(r.asset)?.get(r.check)
    if (version === undefined) continue
    const id = slot(r.asset, r.partition)
    failing.set(id, [...(failing.get(id) ?? []), shownCheck(r, version)])
  }
  const stale = new Map<AssetKey, Array<{ check: string; partitions: number }>>()
  for (const v of yield* store.versions(assets)) {
    const version = versions.get(v.asset)?.get(v.check)
    if (version === undefined || version === v.checkVersion) continue
    const list = stale.get(v.asset) ?? []
    const known = list.find((s) => s.check === v.check)
    if (known) stale.set(v.asset, list.map((s) => (s === known ? { check: s.check, partitions: s.partitions + v.partitions } : s)))
    else stale.set(v.asset, [...list, { check: v.check, partitions: v.partitions }])
  }
  return { failing, stale } satisfies CheckStates
})
