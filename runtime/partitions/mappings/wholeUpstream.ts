import type { PartitionMapping } from "./PartitionMapping.js"

/** An unpartitioned upstream feeds every downstream partition (or an unpartitioned downstream). */
export const wholeUpstream: PartitionMapping = {
  _tag: "WholeUpstream",
  describe: "whole upstream (unpartitioned, feeds every partition)",
  check: ({ upstream }) => (upstream !== undefined ? "whole-upstream needs an unpartitioned upstream" : undefined),
  upstream: () => ({ _tag: "Whole" }),
  downstream: () => ({ _tag: "All" })
}
