import type { PartitionMapping } from "./PartitionMapping.js"

/** Partition P downstream reads partition P upstream (both sides with the same kind of keys). */
export const identity: PartitionMapping = {
  _tag: "Identity",
  describe: "identity (P reads P)",
  check: ({ upstream, downstream }) => {
    if (upstream === undefined || downstream === undefined) return "identity needs both assets partitioned"
    if (upstream._tag !== downstream._tag) return `identity needs the same kind of partitions (${upstream.describe} vs ${downstream.describe})`
    if (upstream._tag === "TimeWindow" && upstream.id !== downstream.id) {
      return `identity needs the same time windows (${upstream.describe} vs ${downstream.describe}): use timeWindow() between different units or zones`
    }
    if (upstream._tag === "Multi" && upstream.id.replace(/time:[^;]*/g, "") !== downstream.id.replace(/time:[^;]*/g, "")) {
      return `identity needs the same dimensions (${upstream.describe} vs ${downstream.describe})`
    }
    return undefined
  },
  upstream: (p) => (p === undefined ? { _tag: "All" } : { _tag: "Keys", keys: [p] }),
  downstream: (p) => (p === undefined ? { _tag: "All" } : { _tag: "Keys", keys: [p] })
}
