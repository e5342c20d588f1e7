import type { PartitionKey } from "../PartitionKey.js"

/** Which upstream partitions one downstream partition reads. */
export type UpstreamPartitions =
  /** the upstream is unpartitioned: its single output */
  | { readonly _tag: "Whole" }
  /** these months of a partitioned upstream */
  | { readonly _tag: "Keys"; readonly keys: ReadonlyArray<PartitionKey> }
  /** every month of a partitioned upstream that has data */
  | { readonly _tag: "All" }

export interface PartitionMapping {
  readonly _tag: string
  /** a one-line description for validation messages and the API */
  readonly describe: string
  /** what it needs of the two sides' partitioning; undefined when it fits */
  readonly check: (upstreamPartitioned: boolean, downstreamPartitioned: boolean) => string | undefined
  readonly upstream: (downstream: PartitionKey | undefined) => UpstreamPartitions
  /** the downstream partitions that read upstream partition `upstream` ("All" for an unpartitioned downstream or every one) */
  readonly downstream: (upstream: PartitionKey | undefined) => UpstreamPartitions
  /**
   * The downstream partitions that exist because upstream partition `upstream` has data; defaults to
   * `downstream`. A lateness window reads the next month too, but only a month's own data brings it into being.
   */
  readonly creates?: (upstream: PartitionKey | undefined) => UpstreamPartitions
}
