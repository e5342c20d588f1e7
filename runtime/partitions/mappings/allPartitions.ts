import type { PartitionMapping } from "./PartitionMapping.js"

/** An unpartitioned downstream reads every month of a partitioned upstream that has data. */
export const allPartitions: PartitionMapping = {
  _tag: "AllPartitions",
  describe: "all partitions (reads every month)",
  check: (up, down) => (up && !down ? undefined : "all-partitions needs a partitioned upstream and an unpartitioned downstream"),
  upstream: () => ({ _tag: "All" }),
  downstream: () => ({ _tag: "Whole" })
}
