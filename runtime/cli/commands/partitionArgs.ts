import { Console, Effect, Either, Option } from "effect"
import type { AssetKey } from "../../asset/AssetKey.js"
import type { AssetGraph } from "../../graph/AssetGraph.js"
import { resolveSelection } from "../../graph/Selection.js"
import type { PartitionKey } from "../../partitions/PartitionKey.js"
import { parsePartition, PartitionError } from "../../partitions/MonthlyPartitions.js"
import type { PartitionRange } from "../../plan/planner.js"
import { EventStore } from "../../events/EventStore.js"
import { Project } from "../../project/Project.js"
import { at } from "../format.js"

/**
 * `--partition P` or `--from A --to B` as a range, each month checked against the partitions of the partitioned
 * assets among `keys`: malformed or out of range is an error that says why.
 */
export const partitionRange = (
  graph: AssetGraph,
  keys: ReadonlyArray<AssetKey>,
  args: { readonly partition: Option.Option<string>; readonly from: Option.Option<string>; readonly to: Option.Option<string> }
): Effect.Effect<PartitionRange | undefined, PartitionError> =>
  Effect.gen(function* () {
    const { partition, from, to } = args
    if (Option.isNone(partition) && Option.isNone(from) && Option.isNone(to)) return undefined
    if (Option.isSome(partition) && (Option.isSome(from) || Option.isSome(to))) {
      return yield* new PartitionError({ message: "give either --partition or --from/--to, not both" })
    }
    const defs = keys.map((k) => graph.get(k).partitions).filter((p) => p !== undefined)
    if (defs.length === 0) {
      return yield* new PartitionError({ message: `none of ${keys.join(", ")} is partitioned: drop --partition/--from/--to` })
    }
    const check = (text: string) =>
      Effect.forEach(defs, (def) => Either.match(parsePartition(def, text), { onLeft: Effect.fail, onRight: Effect.succeed })).pipe(
        Effect.map((ps) => ps[0]!)
      )
    if (Option.isSome(partition)) {
      const p = yield* check(partition.value)
      return { from: p, to: p }
    }
    const first = Option.isSome(from) ? yield* check(from.value) : defs[0]!.start
    const last = Option.isSome(to) ? yield* check(to.value) : undefined
    const range = { from: first, to: last ?? ("9999-12" as PartitionRange["to"]) }
    if (last !== undefined && last < first) return yield* new PartitionError({ message: `--from ${first} is after --to ${last}` })
    return range
  })

/**
 * An asset named on the command line and its `--partition`: required for a partitioned asset (and checked against
 * its partitions), refused for an unpartitioned one.
 */
export const assetPartition = (graph: AssetGraph, keyText: string, partitionOption: Option.Option<string>) =>
  Effect.gen(function* () {
    const [key] = yield* Either.match(resolveSelection(graph, keyText), { onLeft: Effect.fail, onRight: Effect.succeed })
    const def = graph.get(key!)
    if (def.partitions === undefined) {
      if (Option.isSome(partitionOption)) return yield* new PartitionError({ message: `${key} is not partitioned: drop --partition` })
      return { def, partition: null }
    }
    if (Option.isNone(partitionOption)) return yield* new PartitionError({ message: `${key} is partitioned: give --partition YYYY-MM` })
    const partition = yield* Either.match(parsePartition(def.partitions, partitionOption.value), { onLeft: Effect.fail, onRight: Effect.succeed })
    return { def, partition: partition as PartitionKey | null }
  })

/**
 * The asset partition `<key> [--partition P]` names and its latest materialization (`latest` undefined: never
 * materialized, or a source), for commands that show one (lineage, preview).
 */
export const latestOf = (keyText: string, partitionOption: Option.Option<string>) =>
  Effect.gen(function* () {
    const { graph } = yield* Project
    const store = yield* EventStore
    const { def, partition } = yield* assetPartition(graph, keyText, partitionOption)
    const [latest] = def._tag === "Source" ? [] : yield* store.materializations({ asset: def.key, partition, limit: 1 })
    return { def, partition, latest }
  })

/** What to say when there is nothing materialized to show. */
export const neverMaterialized = (key: AssetKey, partition: PartitionKey | null) =>
  Console.error(`${at(key, partition)} has never been materialized: run assets materialize ${key}`)
