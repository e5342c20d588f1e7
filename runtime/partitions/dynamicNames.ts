import type { DynamicPartitions } from "./DynamicPartitions.js"
import type { MultiPartitions } from "./MultiPartitions.js"
import type { PartitionsDefinition } from "./PartitionsDefinition.js"

/** The names of the dynamic partitions a definition uses (itself, or a multi-partition's dimensions). */
export const dynamicNamesOf = (def: PartitionsDefinition | undefined): ReadonlyArray<string> =>
  def === undefined
    ? []
    : def._tag === "Dynamic"
      ? [(def as DynamicPartitions).name]
      : def._tag === "Multi"
        ? (def as MultiPartitions).dims.flatMap((d) => dynamicNamesOf(d.def))
        : []
