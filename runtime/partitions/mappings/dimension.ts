import type { MultiPartitions } from "../MultiPartitions.js"
import type { PartitionContext, PartitionsDefinition } from "../PartitionsDefinition.js"
import { keysOf, type MappingSides, type PartitionMapping, type UpstreamPartitions } from "./PartitionMapping.js"

/**
 * One dimension of a multi-partition to a single-dimension asset, either way: a monthly report reads every
 * region of its month (`month x region` → `month`), a `month x region` asset reads its month of a monthly input.
 */
export const dimension = (name: string): PartitionMapping => {
  const indexIn = (multi: MultiPartitions) => multi.dims.findIndex((d) => d.name === name)
  /** the keys of `multi` whose dimension `name` is `value` */
  const matching = (multi: MultiPartitions, value: string, ctx: PartitionContext): UpstreamPartitions => {
    const i = indexIn(multi)
    const other = multi.dims[1 - i]!.def.keys(ctx)
    return keysOf(other.map((o) => multi.join(i === 0 ? [value, o] : [o, value])))
  }
  const valueOf = (multi: MultiPartitions, key: string): UpstreamPartitions => {
    const v = multi.split(key)?.[indexIn(multi)]
    return keysOf(v === undefined ? [] : [v])
  }
  const map = (from: PartitionsDefinition, to: PartitionsDefinition, key: string, ctx: PartitionContext): UpstreamPartitions =>
    from._tag === "Multi" ? valueOf(from as MultiPartitions, key) : matching(to as MultiPartitions, key, ctx)
  return {
    _tag: "Dimension",
    describe: `dimension ${name} (a ${name} reads or feeds every key with that ${name})`,
    check: ({ upstream, downstream }: MappingSides) => {
      if (upstream === undefined || downstream === undefined) return "a dimension mapping needs both assets partitioned"
      const multi = (upstream._tag === "Multi" ? upstream : downstream._tag === "Multi" ? downstream : undefined) as MultiPartitions | undefined
      const single = multi === upstream ? downstream : upstream
      if (multi === undefined || single._tag === "Multi") return "a dimension mapping needs one multi-partitioned side and one single-dimension side"
      const dim = multi.dims.find((d) => d.name === name)
      if (dim === undefined) return `the multi-partitions have no dimension '${name}' (${multi.dims.map((d) => d.name).join(", ")})`
      if (dim.def.id !== single.id) return `dimension ${name} (${dim.def.describe}) and ${single.describe} have different keys`
      return undefined
    },
    upstream: (p, { upstream, downstream }, ctx) => (p === undefined ? { _tag: "All" } : map(downstream!, upstream!, p, ctx)),
    downstream: (p, { upstream, downstream }, ctx) => (p === undefined ? { _tag: "All" } : map(upstream!, downstream!, p, ctx))
  }
}
