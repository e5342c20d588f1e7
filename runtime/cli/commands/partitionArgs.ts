import { Console, Effect, Either, Option } from "effect"
import type { AssetKey } from "../../asset/AssetKey.js"
import type { AssetGraph } from "../../graph/AssetGraph.js"
import { resolveSelection } from "../../graph/Selection.js"
import type { PartitionKey } from "../../partitions/PartitionKey.js"
import { PartitionError } from "../../partitions/PartitionsDefinition.js"
import { rangeFilter, type PartitionRange } from "../../partitions/rangeFilter.js"
import { EventStore, type EventStoreError } from "../../events/EventStore.js"
import { partitionContext } from "../../status/partitionContext.js"
import { Project } from "../../project/Project.js"
import { at } from "../format.js"

/**
 * `--partition P` or `--from A --to B` as a range. `--partition` must be a key of every partitioned asset among
 * `keys`; a bound of `--from/--to` must apply to each (its own key, or for time windows a date, month or year):
 * malformed or out of range is an error that says why.
 */
export const partitionRange = (
  graph: AssetGraph,
  keys: ReadonlyArray<AssetKey>,
  args: { readonly partition: Option.Option<string>; readonly from: Option.Option<string>; readonly to: Option.Option<string> }
): Effect.Effect<PartitionRange | undefined, PartitionError | EventStoreError, EventStore> =>
  Effect.gen(function* () {
    const { partition, from, to } = args
    if (Option.isNone(partition) && Option.isNone(from) && Option.isNone(to)) return undefined
    if (Option.isSome(partition) && (Option.isSome(from) || Option.isSome(to))) {
      return yield* new PartitionError({ message: "give either --partition or --from/--to, not both" })
    }
    const defs = keys.map((k) => ({ key: k, def: graph.get(k).partitions })).filter((d) => d.def !== undefined)
    if (defs.length === 0) {
      return yield* new PartitionError({ message: `none of ${keys.join(", ")} is partitioned: drop --partition/--from/--to` })
    }
    const ctx = yield* partitionContext
    if (Option.isSome(partition)) {
      for (const { key, def } of defs) {
        const parsed = def!.parse(partition.value, ctx)
        if (Either.isLeft(parsed)) return yield* new PartitionError({ message: defs.length > 1 ? `${key}: ${parsed.left.message}` : parsed.left.message })
      }
      return { from: partition.value, to: partition.value }
    }
    const range: PartitionRange = { from: Option.getOrUndefined(from), to: Option.getOrUndefined(to) }
    for (const { key, def } of defs) {
      const filter = rangeFilter(def!, range, ctx)
      if (typeof filter === "string") return yield* new PartitionError({ message: `${key}: ${filter}` })
      if (range.from !== undefined && range.to !== undefined && def!.keys(ctx).length > 0) {
        const both = [range.from, range.to].every((b) => def!.contains(b, ctx))
        if (both && def!.compare(range.from, range.to) > 0) return yield* new PartitionError({ message: `--from ${range.from} is after --to ${range.to}` })
      }
    }
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
    const ctx = yield* partitionContext
    if (Option.isNone(partitionOption)) {
      const example = def.partitions.keys(ctx)[0]
      return yield* new PartitionError({ message: `${key} is partitioned (${def.partitions.describe}): give --partition${example === undefined ? "" : `, e.g. --partition ${example}`}` })
    }
    const partition = yield* Either.match(def.partitions.parse(partitionOption.value, ctx), { onLeft: Effect.fail, onRight: Effect.succeed })
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
