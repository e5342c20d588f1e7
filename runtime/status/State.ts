import type { AssetKey } from "../asset/AssetKey.js"
import type { Materialization, Observation } from "../events/records.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"

export const slot = (asset: string, partition: string | null | undefined): string => `${asset}\u0000${partition ?? ""}`

/**
 * What the runtime knows at one moment: the current materialization of each asset partition and the latest
 * observation of each source partition. Status and planning are pure functions of it; the executor keeps it
 * up to date as it records materializations.
 */
export class State {
  private readonly byAsset = new Map<AssetKey, Map<PartitionKey | null, Materialization>>()
  private readonly observedByAsset = new Map<AssetKey, Map<PartitionKey | null, Observation>>()
  /** the keys of each dynamic partitions definition, by name, in the order they were added */
  readonly dynamicPartitions = new Map<string, ReadonlyArray<string>>()
  /** sources whose observation failed now, with why: what depends on them has an unknown status */
  readonly failedSources = new Map<AssetKey, string>()

  constructor(
    materializations: ReadonlyArray<Materialization>,
    observations: ReadonlyArray<Observation>,
    dynamicPartitions: ReadonlyMap<string, ReadonlyArray<string>> = new Map()
  ) {
    for (const m of materializations) this.putMaterialization(m)
    for (const o of observations) this.putObservation(o)
    for (const [name, keys] of dynamicPartitions) this.dynamicPartitions.set(name, keys)
  }

  putMaterialization(m: Materialization): void {
    let inner = this.byAsset.get(m.asset)
    if (inner === undefined) this.byAsset.set(m.asset, (inner = new Map()))
    inner.set(m.partition, m)
  }

  /** records put without their inputs, with the digest of what each read (null: unknown, they must be read) */
  private readonly unreadInputs = new Map<Materialization, string | null>()

  /** a current record read without its inputs (`m.inputs` is empty), and the digest of what it read */
  putRecord(m: Materialization, inputsDigest: string | null): void {
    this.putMaterialization(m)
    this.unreadInputs.set(m, inputsDigest)
  }

  /** the digest of what `m` read when its inputs were not read (null when it has none), undefined when they were */
  inputsDigestOf(m: Materialization): string | null | undefined {
    return this.unreadInputs.get(m)
  }

  putObservation(o: Observation): void {
    let inner = this.observedByAsset.get(o.asset)
    if (inner === undefined) this.observedByAsset.set(o.asset, (inner = new Map()))
    inner.set(o.partition, o)
  }

  /** replaces every observation of a source (a partition no longer observed has no data any more) */
  replaceObservations(asset: AssetKey, observations: ReadonlyArray<Observation>): void {
    this.observedByAsset.set(asset, new Map(observations.map((o) => [o.partition, o])))
  }

  materialization(asset: AssetKey, partition: PartitionKey | null): Materialization | undefined {
    return this.byAsset.get(asset)?.get(partition)
  }

  observation(asset: AssetKey, partition: PartitionKey | null): Observation | undefined {
    return this.observedByAsset.get(asset)?.get(partition)
  }

  materializedPartitions(asset: AssetKey): ReadonlyArray<PartitionKey> {
    return [...(this.byAsset.get(asset)?.keys() ?? [])].filter((p): p is PartitionKey => p !== null)
  }

  observedPartitions(asset: AssetKey): ReadonlyArray<PartitionKey> {
    return [...(this.observedByAsset.get(asset)?.keys() ?? [])].filter((p): p is PartitionKey => p !== null)
  }
}
