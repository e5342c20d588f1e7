import { allPartitions } from "./allPartitions.js"
import { identity } from "./identity.js"
import type { PartitionMapping } from "./PartitionMapping.js"
import { wholeUpstream } from "./wholeUpstream.js"

/** The mapping used when a dependency names none, chosen from the two sides' partitioning. */
export const defaultMapping = (upstreamPartitioned: boolean, downstreamPartitioned: boolean): PartitionMapping =>
  !upstreamPartitioned ? wholeUpstream : downstreamPartitioned ? identity : allPartitions
