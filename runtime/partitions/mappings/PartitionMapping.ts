import type { PartitionKey } from "../PartitionKey.js"
import type { PartitionContext, PartitionsDefinition } from "../PartitionsDefinition.js"

/** Which upstream partitions one downstream partition reads (or, read the other way, which downstream ones read one). */
export type UpstreamPartitions =
  /** the other side is unpartitioned: its single output */
  | { readonly _tag: "Whole" }
  /** these keys of a partitioned side (some may not exist: the caller checks) */
  | { readonly _tag: "Keys"; readonly keys: ReadonlyArray<PartitionKey> }
  /** every partition of a partitioned side that has data */
  | { readonly _tag: "All" }

/** The partitions definitions of an edge's two sides (undefined: unpartitioned). */
export interface MappingSides {
  readonly upstream: PartitionsDefinition | undefined
  readonly downstream: PartitionsDefinition | undefined
}

export interface PartitionMapping {
  readonly _tag: string
  /** a one-line description for validation messages and the API */
  readonly describe: string
  /** what it needs of the two sides' partitioning; undefined when it fits */
  readonly check: (sides: MappingSides) => string | undefined
  readonly upstream: (downstream: PartitionKey | undefined, sides: MappingSides, ctx: PartitionContext) => UpstreamPartitions
  /** the downstream partitions that read upstream partition `upstream` ("All" for an unpartitioned downstream or every one) */
  readonly downstream: (upstream: PartitionKey | undefined, sides: MappingSides, ctx: PartitionContext) => UpstreamPartitions
  /**
   * The downstream partitions that exist because upstream partition `upstream` has data; defaults to
   * `downstream`. A lateness window reads the next month too, but only a month's own data brings it into being.
   */
  readonly creates?: (upstream: PartitionKey | undefined, sides: MappingSides, ctx: PartitionContext) => UpstreamPartitions
  /** every partition it reads comes strictly before the reader in time: what a self-dependency needs */
  readonly readsOnlyEarlier?: boolean
}

/** A mapping fixed to one edge's two sides: what the resolver and planner call. */
export interface BoundMapping {
  readonly _tag: string
  readonly describe: string
  readonly upstream: (downstream: PartitionKey | undefined, ctx: PartitionContext) => UpstreamPartitions
  readonly downstream: (upstream: PartitionKey | undefined, ctx: PartitionContext) => UpstreamPartitions
  readonly creates: (upstream: PartitionKey | undefined, ctx: PartitionContext) => UpstreamPartitions
  /** whatever creates a partition is among the partitions it reads (so availability need not list the upstream) */
  readonly createdByWhatItReads: boolean
}

export const bindMapping = (m: PartitionMapping, sides: MappingSides): BoundMapping => ({
  _tag: m._tag,
  describe: m.describe,
  upstream: (p, ctx) => m.upstream(p, sides, ctx),
  downstream: (p, ctx) => m.downstream(p, sides, ctx),
  creates: (p, ctx) => (m.creates ?? m.downstream)(p, sides, ctx),
  createdByWhatItReads: m._tag === "Identity" || m._tag === "TimeWindow" || m._tag === "Dimension" || m._tag === "StaticMap"
})

export const keysOf = (keys: ReadonlyArray<string>): UpstreamPartitions => ({ _tag: "Keys", keys: keys as ReadonlyArray<PartitionKey> })
