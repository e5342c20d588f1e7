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
    // a record put with its inputs replaces one put without them
    this.unreadInputs.get(m.asset)?.delete(m.partition)
  }

  /**
   * the digests of what records put without their inputs read (null: unknown, they must be read), by asset and
   * partition like the records: a map keyed by the records themselves cost a second of a million-record status
   */
  private readonly unreadInputs = new Map<AssetKey, Map<PartitionKey | null, string | null>>()

  /** a current record read without its inputs (`m.inputs` is empty), and the digest of what it read */
  putRecord(m: Materialization, inputsDigest: string | null): void {
    this.putMaterialization(m)
    let inner = this.unreadInputs.get(m.asset)
    if (inner === undefined) this.unreadInputs.set(m.asset, (inner = new Map()))
    inner.set(m.partition, inputsDigest)
  }

  /** the digest of what `m` read when its inputs were not read (null when it has none), undefined when they were */
  inputsDigestOf(m: Materialization): string | null | undefined {
    return this.unreadInputs.get(m.asset)?.get(m.partition)
  }

  /** forgets an asset's records (status drops those nothing it still computes reads) */
  dropRecords(asset: AssetKey): void {
    this.byAsset.delete(asset)
    this.unreadInputs.delete(asset)
    this.versionsOnly.delete(asset)
    this.materializedOnly.delete(asset)
  }

  /** the data versions of assets whose records were slimmed: all a status still computing what reads them needs */
  private readonly versionsOnly = new Map<AssetKey, Map<PartitionKey | null, string>>()

  /** keeps only the data versions of an asset's records (a tenth of their memory) */
  slimRecords(asset: AssetKey): void {
    const records = this.byAsset.get(asset)
    if (records === undefined) return
    const versions = new Map<PartitionKey | null, string>()
    for (const [p, m] of records) versions.set(p, m.dataVersion)
    this.versionsOnly.set(asset, versions)
    this.byAsset.delete(asset)
    this.unreadInputs.delete(asset)
  }

  /** the data version of an asset partition's current record, kept whole or slimmed */
  dataVersionOf(asset: AssetKey, partition: PartitionKey | null): string | undefined {
    return this.byAsset.get(asset)?.get(partition)?.dataVersion ?? this.versionsOnly.get(asset)?.get(partition)
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
    const records = this.byAsset.get(asset)
    if (records === undefined) return this.materializedOnly.get(asset) ?? []
    return [...records.keys()].filter((p): p is PartitionKey => p !== null)
  }

  /** the partitions with a record of assets whose records are not read (what a cached status said of them) */
  private readonly materializedOnly = new Map<AssetKey, ReadonlyArray<PartitionKey>>()

  /** which partitions of an asset have a record, for an asset whose records are not read (loadStatus.ts) */
  putMaterializedPartitions(asset: AssetKey, partitions: ReadonlyArray<PartitionKey>): void {
    this.materializedOnly.set(asset, partitions)
  }

  observedPartitions(asset: AssetKey): ReadonlyArray<PartitionKey> {
    return [...(this.observedByAsset.get(asset)?.keys() ?? [])].filter((p): p is PartitionKey => p !== null)
  }
}
