import type { PartitionMapping } from "./PartitionMapping.js"

/** An unpartitioned downstream reads every partition of a partitioned upstream that has data. */
export const allPartitions: PartitionMapping = {
  _tag: "AllPartitions",
  describe: "all partitions (reads every partition)",
  check: ({ upstream, downstream }) =>
    upstream !== undefined && downstream === undefined ? undefined : "all-partitions needs a partitioned upstream and an unpartitioned downstream",
  upstream: () => ({ _tag: "All" }),
  downstream: () => ({ _tag: "Whole" })
}
