import { Effect, Either } from "effect"
import type { AnyAssetDef } from "../runtime/asset/Asset.js"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { EventStore } from "../runtime/events/EventStore.js"
import type { Materialization } from "../runtime/events/records.js"
import { closest } from "../runtime/graph/closest.js"
import { resolveSelection } from "../runtime/graph/Selection.js"
import { parsePartition } from "../runtime/partitions/MonthlyPartitions.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import type { PartitionRange } from "../runtime/plan/planner.js"
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
  Effect.suspend((): Effect.Effect<PartitionKey | null | undefined, InvalidPartition> => {
    if (def.partitions === undefined) {
      return text === undefined
        ? Effect.succeed(null)
        : Effect.fail(new InvalidPartition({ message: `${def.key} is not partitioned: drop the partition` }))
    }
    if (text === undefined) {
      return required
        ? Effect.fail(new InvalidPartition({ message: `${def.key} is partitioned by month: give partition=YYYY-MM` }))
        : Effect.succeed(undefined)
    }
    return Either.match(parsePartition(def.partitions, text), {
      onLeft: (e) => Effect.fail(new InvalidPartition({ message: e.message })),
      onRight: (p) => Effect.succeed(p)
    })
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
    const defs = keys.map((k) => graph.get(k).partitions).filter((p) => p !== undefined)
    if (defs.length === 0) return yield* new InvalidPartition({ message: `none of ${keys.join(", ")} is partitioned: drop partition/from/to` })
    const check = (text: string) =>
      Effect.forEach(defs, (def) =>
        Either.match(parsePartition(def, text), {
          onLeft: (e) => Effect.fail(new InvalidPartition({ message: e.message })),
          onRight: Effect.succeed
        })
      ).pipe(Effect.map((ps) => ps[0]!))
    if (args.partition !== undefined) {
      const p = yield* check(args.partition)
      return { from: p, to: p } satisfies PartitionRange
    }
    const from = args.from !== undefined ? yield* check(args.from) : defs[0]!.start
    const to = args.to !== undefined ? yield* check(args.to) : undefined
    if (to !== undefined && to < from) return yield* new InvalidPartition({ message: `from ${from} is after to ${to}` })
    return { from, to: to ?? ("9999-12" as PartitionKey) } satisfies PartitionRange
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
