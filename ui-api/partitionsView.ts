import type { MultiPartitions } from "../runtime/partitions/MultiPartitions.js"
import type { PartitionContext, PartitionsDefinition } from "../runtime/partitions/PartitionsDefinition.js"
import type { TimeWindowPartitions } from "../runtime/partitions/TimeWindowPartitions.js"

type Kind = "hourly" | "daily" | "weekly" | "monthly" | "yearly" | "static" | "dynamic" | "multi"

const kindOf = (def: PartitionsDefinition): Kind =>
  def._tag === "TimeWindow" ? (def as TimeWindowPartitions).unit : def._tag === "Static" ? "static" : def._tag === "Dynamic" ? "dynamic" : "multi"

/** A partitions definition as the API shows it: its kind, in words, and the keys that exist now. */
export const definitionView = (def: PartitionsDefinition, ctx: PartitionContext) => {
  const keys = def.keys(ctx)
  return {
    kind: kindOf(def),
    describe: def.describe,
    first: keys[0] ?? null,
    last: keys[keys.length - 1] ?? null,
    count: keys.length,
    dimensions: def._tag === "Multi" ? (def as MultiPartitions).dims.map((d) => ({ name: d.name, describe: d.def.describe })) : null
  }
}
