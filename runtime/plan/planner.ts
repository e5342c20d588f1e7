import type { AssetKey } from "../asset/AssetKey.js"
import { lastPartition } from "../partitions/MonthlyPartitions.js"
import { fromMonthIndex, monthIndex, monthRanges as ranges, type PartitionKey } from "../partitions/PartitionKey.js"
import type { StatusResolver } from "../status/StatusResolver.js"
import { taskId, type Impossible, type Plan, type Task } from "./Plan.js"

export interface PartitionRange {
  readonly from: PartitionKey
  readonly to: PartitionKey
}

export interface PlanRequest {
  /** the assets named by the selection; their upstream closure is considered too */
  readonly targets: ReadonlyArray<AssetKey>
  /**
   * narrows every partitioned asset of the plan to these partitions (targets and upstream alike); an unpartitioned
   * asset reading all partitions of one runs once over what exists
   */
  readonly range: PartitionRange | undefined
  /** re-run the targets even when fresh (within the range) */
  readonly force: boolean
}

/**
 * Pure: which asset partitions to materialize, in dependency order. The targets and everything upstream of them
 * are considered; a partition is planned when it is missing or stale (or a forced target). Partitions needed
 * upstream follow from the targets' partitions through each input's mapping; with a range, nothing outside it is
 * planned unless a partition inside it reads it (and the plan's notes say so).
 */
export const plan = (resolver: StatusResolver, request: PlanRequest): Plan => {
  const { graph } = resolver
  const { range } = request
  const targets = new Set(request.targets)
  const closure = new Set<AssetKey>()
  const stack = [...request.targets]
  while (stack.length > 0) {
    const k = stack.pop()!
    if (closure.has(k)) continue
    closure.add(k)
    for (const e of graph.inputs(k)) stack.push(e.upstream)
  }
  const inRange = (p: PartitionKey | null) =>
    p === null || range === undefined || (monthIndex(p) >= monthIndex(range.from) && monthIndex(p) <= monthIndex(range.to))

  const notes: Array<string> = []
  const impossible: Array<Impossible> = []
  // which partitions of each asset are needed, walking from the targets upstream
  const needed = new Map<AssetKey, Set<PartitionKey | null>>()
  const outside = new Map<AssetKey, Set<PartitionKey>>()
  const readsAll: Array<{ asset: AssetKey; upstream: AssetKey; count: number }> = []
  const order = graph.order.filter((k) => closure.has(k))
  for (const k of [...order].reverse()) {
    const set = needed.get(k) ?? new Set()
    if (targets.has(k)) {
      for (const p of resolver.available(k)) if (inRange(p)) set.add(p)
      const def = graph.get(k)
      if (range !== undefined && def.partitions !== undefined && def._tag === "Asset") {
        const noData: Array<PartitionKey> = []
        const last = Math.min(monthIndex(range.to), monthIndex(lastPartition(def.partitions, resolver.now)))
        for (let i = Math.max(monthIndex(range.from), monthIndex(def.partitions.start)); i <= last; i++) {
          const p = fromMonthIndex(i)
          if (resolver.isAvailable(k, p)) continue
          const why = resolver.impossibility(k, p)
          if (why !== undefined) impossible.push({ asset: k, partition: p, reason: why })
          else noData.push(p)
        }
        if (noData.length > 0) notes.push(`${k} has no data yet for ${ranges(noData)}: not planned`)
      }
    }
    needed.set(k, set)
    for (const e of graph.inputs(k)) {
      const upSet = needed.get(e.upstream) ?? new Set()
      needed.set(e.upstream, upSet)
      const available = resolver.available(e.upstream)
      for (const p of set) {
        const mapped = e.mapping.upstream(p ?? undefined)
        if (mapped._tag === "Whole") upSet.add(null)
        else if (mapped._tag === "All") {
          // every partition is read, but with a range only those inside it are brought up to date first
          for (const q of available) if (inRange(q)) upSet.add(q)
          if (range !== undefined) readsAll.push({ asset: k, upstream: e.upstream, count: available.length })
        } else {
          for (const q of mapped.keys) {
            if (!available.includes(q)) continue
            upSet.add(q)
            if (!inRange(q) && graph.get(e.upstream)._tag === "Asset") {
              const o = outside.get(e.upstream) ?? new Set()
              o.add(q!)
              outside.set(e.upstream, o)
            }
          }
        }
      }
    }
  }

  const tasks: Array<Task> = []
  const planned = new Set<string>()
  const fresh: Array<{ asset: AssetKey; partition: PartitionKey | null }> = []
  for (const k of order) {
    if (graph.get(k)._tag === "Source") continue
    for (const p of [...needed.get(k)!].sort()) {
      const forced = request.force && targets.has(k) && inRange(p)
      const st = resolver.status(k, p)
      if (!forced && st.status === "FRESH") {
        fresh.push({ asset: k, partition: p })
        continue
      }
      const dependsOn = resolver
        .currentInputs(k, p)
        .map((i) => taskId(i.edge.upstream, i.partition))
        .filter((id) => planned.has(id))
      const id = taskId(k, p)
      planned.add(id)
      tasks.push({ id, asset: k, partition: p, forced, causes: st.causes, dependsOn: [...new Set(dependsOn)] })
    }
  }
  for (const [asset, ps] of outside) {
    const run = [...ps].filter((p) => planned.has(taskId(asset, p)))
    if (run.length > 0) notes.push(`${asset}[${ranges(run)}] is outside ${range!.from}..${range!.to} but read by partitions inside it: planned too`)
  }
  for (const r of dedupe(readsAll)) {
    if (planned.has(taskId(r.asset, null))) {
      notes.push(`${r.asset} reads every partition of ${r.upstream}: it runs once over the ${r.count} that exist; only those in ${range!.from}..${range!.to} are brought up to date first`)
    }
  }
  return { tasks, fresh, notes, impossible }
}

const dedupe = <A extends { asset: string; upstream: string }>(xs: ReadonlyArray<A>): ReadonlyArray<A> => {
  const seen = new Set<string>()
  return xs.filter((x) => !seen.has(`${x.asset}\u0000${x.upstream}`) && seen.add(`${x.asset}\u0000${x.upstream}`) !== undefined)
}
