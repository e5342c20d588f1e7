import type { AssetKey } from "../asset/AssetKey.js"
import { keyRanges } from "../partitions/keyRanges.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import type { Cause } from "../status/Cause.js"

/** One asset partition to materialize, with why, and the tasks whose output it reads. */
export interface Task {
  readonly id: string
  readonly asset: AssetKey
  readonly partition: PartitionKey | null
  readonly forced: boolean
  readonly causes: ReadonlyArray<Cause>
  readonly dependsOn: ReadonlyArray<string>
}

export interface Plan {
  /** in dependency order */
  readonly tasks: ReadonlyArray<Task>
  /** asset partitions looked at and found fresh */
  readonly fresh: ReadonlyArray<{ readonly asset: AssetKey; readonly partition: PartitionKey | null }>
  /** what a person should know about the plan's reach, a line each (partitions read outside the range, months with no data) */
  readonly notes: ReadonlyArray<string>
  /** partitions in the requested range that can never exist, with why; a runner refuses the plan when there are any */
  readonly impossible: ReadonlyArray<Impossible>
}

export interface Impossible {
  readonly asset: AssetKey
  readonly partition: PartitionKey
  readonly reason: string
}

/** One line for the impossible partitions of a plan: the asset, its partitions and the upstream range that excludes them. */
export const describeImpossible = (impossible: ReadonlyArray<Impossible>): string => {
  const byAsset = new Map<string, { partitions: Array<string>; reason: string }>()
  for (const i of impossible) {
    const entry = byAsset.get(`${i.asset}\u0000${i.reason}`) ?? { partitions: [], reason: i.reason }
    entry.partitions.push(i.partition)
    byAsset.set(`${i.asset}\u0000${i.reason}`, entry)
  }
  return [...byAsset]
    .map(([k, v]) => `${k.split("\u0000")[0]}[${keyRanges(v.partitions)}] cannot exist: ${v.reason}`)
    .join("; ")
}

export const taskId = (asset: string, partition: string | null): string => (partition === null ? asset : `${asset}[${partition}]`)
