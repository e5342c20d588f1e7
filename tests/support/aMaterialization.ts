import type { AssetKey } from "../../runtime/asset/AssetKey.js"
import { newId } from "../../runtime/events/ids.js"
import type { Materialization } from "../../runtime/events/records.js"
import type { PartitionKey } from "../../runtime/partitions/PartitionKey.js"

/** A materialization record of `asset[partition]` with a fresh id and a random data version; `over` replaces any field. */
export const aMaterialization = (asset: string, partition: string | null, over: Partial<Materialization> = {}): Materialization => ({
  id: newId("m"),
  runId: "r-contract",
  asset: asset as AssetKey,
  partition: partition === null ? null : (partition as PartitionKey),
  codeVersion: "code1",
  dataVersion: `data-${Math.random().toString(36).slice(2, 8)}`,
  rowCount: 1000,
  metadata: { path: `curated/${asset}/data.parquet`, note: "ünïcode ✓" },
  startedAt: "2024-01-01T00:00:00.000Z",
  endedAt: "2024-01-01T00:00:01.000Z",
  inputs: [],
  ...over
})
