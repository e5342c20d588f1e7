import type { PartitionMapping } from "./PartitionMapping.js"

/** Month M downstream reads month M upstream. */
export const identity: PartitionMapping = {
  _tag: "Identity",
  describe: "identity (month M reads month M)",
  check: (up, down) => (up && down ? undefined : "identity needs both assets partitioned"),
  upstream: (p) => (p === undefined ? { _tag: "All" } : { _tag: "Keys", keys: [p] }),
  downstream: (p) => (p === undefined ? { _tag: "All" } : { _tag: "Keys", keys: [p] })
}
