import type { AssetKey } from "../asset/AssetKey.js"
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
}

export const taskId = (asset: string, partition: string | null): string => (partition === null ? asset : `${asset}[${partition}]`)
