import type { AssetKey } from "../asset/AssetKey.js"
import { monthIndex, type PartitionKey } from "../partitions/PartitionKey.js"
import type { StatusResolver } from "../status/StatusResolver.js"
import { taskId, type Plan, type Task } from "./Plan.js"

export interface PartitionRange {
  readonly from: PartitionKey
  readonly to: PartitionKey
}

export interface PlanRequest {
  /** the assets named by the selection; their upstream closure is considered too */
  readonly targets: ReadonlyArray<AssetKey>
  /** narrows the targets' partitions (upstream partitions follow through the mappings) */
  readonly range: PartitionRange | undefined
  /** re-run the targets even when fresh */
  readonly force: boolean
}

/**
 * Pure: which asset partitions to materialize, in dependency order. The targets and everything upstream of them
 * are considered; a partition is planned when it is missing or stale (or a forced target). Partitions needed
 * upstream follow from the targets' partitions through each input's mapping.
 */
export const plan = (resolver: StatusResolver, request: PlanRequest): Plan => {
  const { graph } = resolver
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
    p === null || request.range === undefined || (monthIndex(p) >= monthIndex(request.range.from) && monthIndex(p) <= monthIndex(request.range.to))

  // which partitions of each asset are needed, walking from the targets upstream
  const needed = new Map<AssetKey, Set<PartitionKey | null>>()
  const order = graph.order.filter((k) => closure.has(k))
  for (const k of [...order].reverse()) {
    const set = needed.get(k) ?? new Set()
    if (targets.has(k)) for (const p of resolver.available(k)) if (inRange(p)) set.add(p)
    needed.set(k, set)
    for (const e of graph.inputs(k)) {
      const upSet = needed.get(e.upstream) ?? new Set()
      needed.set(e.upstream, upSet)
      const available = resolver.available(e.upstream)
      for (const p of set) {
        const mapped = e.mapping.upstream(p ?? undefined)
        const ups = mapped._tag === "Whole" ? [null] : mapped._tag === "All" ? available : mapped.keys.filter((q) => available.includes(q))
        for (const q of ups) upSet.add(q)
      }
    }
  }

  const tasks: Array<Task> = []
  const planned = new Set<string>()
  const fresh: Array<{ asset: AssetKey; partition: PartitionKey | null }> = []
  for (const k of order) {
    if (graph.get(k)._tag === "Source") continue
    for (const p of [...needed.get(k)!].sort()) {
      const forced = request.force && targets.has(k)
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
  return { tasks, fresh }
}
