import type { AssetKey } from "../asset/AssetKey.js"
import { keyRanges } from "../partitions/keyRanges.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import { rangeFilter, type PartitionRange } from "../partitions/rangeFilter.js"
import type { StatusResolver } from "../status/StatusResolver.js"
import { taskId, type Impossible, type Plan, type Task } from "./Plan.js"

export type { PartitionRange } from "../partitions/rangeFilter.js"

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
  // a range applies to each asset through its own definition (days of a month for a daily asset)
  const filters = new Map<AssetKey, (p: string) => boolean>()
  const filterOf = (k: AssetKey) => {
    let f = filters.get(k)
    if (f === undefined) {
      const def = graph.get(k).partitions
      const made = range === undefined || def === undefined ? () => true : rangeFilter(def, range, resolver.ctx)
      f = typeof made === "string" ? () => true : made
      filters.set(k, f)
    }
    return f
  }
  const inRange = (k: AssetKey, p: PartitionKey | null) => p === null || range === undefined || filterOf(k)(p)
  const rangeText = range === undefined ? "" : `${range.from ?? "the first"}..${range.to ?? "the last"}`

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
      for (const p of resolver.available(k)) if (inRange(k, p)) set.add(p)
      const def = graph.get(k)
      if (range !== undefined && def.partitions !== undefined && def._tag === "Asset") {
        const noData: Array<PartitionKey> = []
        for (const p of def.partitions.keys(resolver.ctx)) {
          if (!inRange(k, p) || resolver.isAvailable(k, p)) continue
          const why = resolver.impossibility(k, p)
          if (why !== undefined) impossible.push({ asset: k, partition: p, reason: why })
          else noData.push(p)
        }
        if (noData.length > 0) notes.push(`${k} has no data yet for ${keyRanges(noData, def.partitions)}: not planned`)
      }
    }
    needed.set(k, set)
    for (const e of graph.inputs(k)) {
      const upSet = needed.get(e.upstream) ?? new Set()
      needed.set(e.upstream, upSet)
      for (const p of set) {
        const mapped = e.mapping.upstream(p ?? undefined, resolver.ctx)
        if (mapped._tag === "Whole") upSet.add(null)
        else if (mapped._tag === "All") {
          // every partition is read, but with a range only those inside it are brought up to date first
          const available = resolver.available(e.upstream)
          for (const q of available) if (inRange(e.upstream, q)) upSet.add(q)
          if (range !== undefined) readsAll.push({ asset: k, upstream: e.upstream, count: available.length })
        } else {
          for (const q of mapped.keys) {
            if (!resolver.isAvailable(e.upstream, q)) continue
            upSet.add(q)
            if (!inRange(e.upstream, q) && graph.get(e.upstream)._tag === "Asset") {
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
    const def = graph.get(k)
    if (def._tag === "Source") continue
    // in the definition's order, so a partition reading an earlier one of its own asset runs after it
    const compare = def.partitions?.compare ?? (() => 0)
    for (const p of [...needed.get(k)!].sort((a, b) => (a === null || b === null ? 0 : compare(a, b)))) {
      const forced = request.force && targets.has(k) && inRange(k, p)
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
    if (run.length > 0) notes.push(`${asset}[${keyRanges(run, graph.get(asset).partitions)}] is outside ${rangeText} but read by partitions inside it: planned too`)
  }
  for (const r of dedupe(readsAll)) {
    if (planned.has(taskId(r.asset, null))) {
      notes.push(`${r.asset} reads every partition of ${r.upstream}: it runs once over the ${r.count} that exist; only those in ${rangeText} are brought up to date first`)
    }
  }
  return { tasks, fresh, notes, impossible }
}

const dedupe = <A extends { asset: string; upstream: string }>(xs: ReadonlyArray<A>): ReadonlyArray<A> => {
  const seen = new Set<string>()
  return xs.filter((x) => !seen.has(`${x.asset}\u0000${x.upstream}`) && seen.add(`${x.asset}\u0000${x.upstream}`) !== undefined)
}
