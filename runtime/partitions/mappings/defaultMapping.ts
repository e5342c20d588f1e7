import type { MultiPartitions } from "../MultiPartitions.js"
import type { PartitionsDefinition } from "../PartitionsDefinition.js"
import { allPartitions } from "./allPartitions.js"
import { dimension } from "./dimension.js"
import { identity } from "./identity.js"
import type { PartitionMapping } from "./PartitionMapping.js"
import { timeWindow } from "./timeWindow.js"
import { wholeUpstream } from "./wholeUpstream.js"

const overlapping = timeWindow({ startOffset: 0, endOffset: 0 })

/**
 * The mapping used when a dependency names none, chosen from the two sides' partitioning: time windows of
 * different units map by overlap (a month reads its days), a multi-partition and an asset partitioned like one of
 * its dimensions map through that dimension, and equal kinds by identity.
 */
export const defaultMapping = (upstream: PartitionsDefinition | undefined, downstream: PartitionsDefinition | undefined): PartitionMapping => {
  if (upstream === undefined) return wholeUpstream
  if (downstream === undefined) return allPartitions
  if (upstream._tag === "TimeWindow" && downstream._tag === "TimeWindow" && upstream.id !== downstream.id) return overlapping
  const multi = (upstream._tag === "Multi" ? upstream : downstream._tag === "Multi" ? downstream : undefined) as MultiPartitions | undefined
  const single = multi === upstream ? downstream : upstream
  if (multi !== undefined && single._tag !== "Multi") {
    const dim = multi.dims.find((d) => d.def.id === single.id)
    if (dim !== undefined) return dimension(dim.name)
  }
  return identity
}
