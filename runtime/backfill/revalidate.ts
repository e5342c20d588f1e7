import type { AssetKey } from "../asset/AssetKey.js"
import type { AssetGraph } from "../graph/AssetGraph.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import type { State } from "../status/State.js"
import { StatusResolver } from "../status/StatusResolver.js"
import type { OpenTask } from "./records.js"

/**
 * What makes a stored task impossible under the project's definitions as they are now (asset removed, partitioning
 * changed, partition removed, or no longer able to exist), or undefined when it still fits.
 */
export const taskProblem = (graph: AssetGraph, state: State, task: Pick<OpenTask, "asset" | "partition">): string | undefined => {
  if (!graph.has(task.asset)) return `asset ${task.asset} was removed from the project`
  const def = graph.get(task.asset)
  if (def._tag === "Source") return `${task.asset} is now a source, which is observed, not materialized`
  if (def.partitions === undefined) {
    return task.partition === null ? undefined : `${task.asset} is no longer partitioned (the task was for partition ${task.partition})`
  }
  if (task.partition === null) return `${task.asset} is now partitioned (the task was for the whole asset)`
  const resolver = new StatusResolver(graph, state)
  if (!def.partitions.contains(task.partition, resolver.ctx)) {
    return `partition ${task.partition} was removed: ${task.asset}'s partitions now ${def.partitions.rangeText(resolver.ctx)}`
  }
  if (!resolver.isAvailable(task.asset as AssetKey, task.partition as PartitionKey)) {
    return `${task.asset}[${task.partition}] cannot exist any more: its upstream has no partition it could be made from`
  }
  return undefined
}
