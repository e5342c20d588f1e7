import { Effect, Either } from "effect"
import type { AnyAssetDef } from "../runtime/asset/Asset.js"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { EventStore } from "../runtime/events/EventStore.js"
import type { Materialization } from "../runtime/events/records.js"
import { closest } from "../runtime/graph/closest.js"
import { resolveSelection } from "../runtime/graph/Selection.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { rangeFilter, type PartitionRange } from "../runtime/partitions/rangeFilter.js"
import { partitionContext } from "../runtime/status/partitionContext.js"
import { dynamicNamesOf } from "../runtime/partitions/dynamicNames.js"
import { contextAt } from "../runtime/partitions/PartitionsDefinition.js"
import { Project } from "../runtime/project/Project.js"
import { InvalidPartition, InvalidSelection, NotMaterialized, UnknownAsset, UnknownMaterialization } from "./errors.js"

/** The definition of an asset named in a path; an unknown key is a 404 naming the closest keys. */
export const assetNamed = (key: string) =>
  Effect.flatMap(Project, ({ graph }) => {
    if (graph.has(key)) return Effect.succeed(graph.get(key))
    const suggestions = closest(key, [...graph.defs.keys()])
    return Effect.fail(
      new UnknownAsset({
        message: `unknown asset '${key}'${suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => `'${s}'`).join(", ")}?` : ""} (GET /api/assets lists every key)`,
        suggestions
      })
    )
  })

/**
 * A partition given for an asset, checked against its definition: required for a partitioned asset when
 * `required`, refused for an unpartitioned one; `undefined` when not given and not required.
 */
export const partitionOf = (def: AnyAssetDef, text: string | undefined, required: boolean) =>
  Effect.gen(function* () {
    if (def.partitions === undefined) {
      if (text === undefined) return null
      return yield* new InvalidPartition({ message: `${def.key} is not partitioned: drop the partition` })
    }
    if (text === undefined) {
      if (!required) return undefined
      return yield* new InvalidPartition({ message: `${def.key} is partitioned (${def.partitions.describe}): give partition=<key>` })
    }
    // only a definition with dynamic partitions needs the stored keys: the others are checked without a read
    const ctx = dynamicNamesOf(def.partitions).length > 0 ? yield* partitionContext : contextAt()
    const parsed = def.partitions.parse(text, ctx)
    if (Either.isLeft(parsed)) return yield* new InvalidPartition({ message: parsed.left.message })
    return parsed.right as PartitionKey | null | undefined
  })

export const selectionOf = (text: string) =>
  Effect.flatMap(Project, ({ graph }) =>
    Either.match(resolveSelection(graph, text), {
      onLeft: (e) => Effect.fail(new InvalidSelection({ message: e.message, suggestions: e.suggestions })),
      onRight: (keys) => Effect.succeed(keys)
    })
  )

/** `partition`, or `from`/`to`, as a range checked against the partitioned assets among `keys`. */
export const rangeOf = (keys: ReadonlyArray<AssetKey>, args: { readonly partition?: string | undefined; readonly from?: string | undefined; readonly to?: string | undefined }) =>
  Effect.gen(function* () {
    const { graph } = yield* Project
    if (args.partition === undefined && args.from === undefined && args.to === undefined) return undefined
    if (args.partition !== undefined && (args.from !== undefined || args.to !== undefined)) {
      return yield* new InvalidPartition({ message: "give either partition or from/to, not both" })
    }
    const defs = keys.map((k) => ({ key: k, def: graph.get(k).partitions })).filter((d) => d.def !== undefined)
    if (defs.length === 0) return yield* new InvalidPartition({ message: `none of ${keys.join(", ")} is partitioned: drop partition/from/to` })
    const ctx = yield* partitionContext
    if (args.partition !== undefined) {
      for (const { key, def } of defs) {
        const parsed = def!.parse(args.partition, ctx)
        if (Either.isLeft(parsed)) return yield* new InvalidPartition({ message: defs.length > 1 ? `${key}: ${parsed.left.message}` : parsed.left.message })
      }
      return { from: args.partition, to: args.partition } satisfies PartitionRange
    }
    const range: PartitionRange = { from: args.from, to: args.to }
    for (const { key, def } of defs) {
      const filter = rangeFilter(def!, range, ctx)
      if (typeof filter === "string") return yield* new InvalidPartition({ message: `${key}: ${filter}` })
      if (range.from !== undefined && range.to !== undefined && [range.from, range.to].every((b) => def!.contains(b, ctx)) && def!.compare(range.from, range.to) > 0) {
        return yield* new InvalidPartition({ message: `from ${range.from} is after to ${range.to}` })
      }
    }
    return range
  })

export const materializationById = (id: string) =>
  Effect.flatMap(EventStore, (store) => store.materialization(id)).pipe(
    Effect.flatMap((m) =>
      m === undefined ? Effect.fail(new UnknownMaterialization({ message: `no materialization '${id}' in the event store` })) : Effect.succeed(m)
    )
  )

/** The current (latest) materialization of an asset partition. */
export const latestOf = (def: AnyAssetDef, partition: PartitionKey | null) =>
  Effect.flatMap(EventStore, (store) => store.materializations({ asset: def.key, partition, limit: 1 })).pipe(
    Effect.flatMap(([m]): Effect.Effect<Materialization, NotMaterialized> =>
      m === undefined
        ? Effect.fail(
            new NotMaterialized({
              message: `${def.key}${partition ? `[${partition}]` : ""} has never been materialized: POST /api/runs {"selection": "${def.key}"} or run assets materialize ${def.key}`
            })
          )
        : Effect.succeed(m)
    )
  )
