import { Effect, Schema } from "effect"
import { EventStore } from "../../runtime/events/EventStore.js"
import { dynamicKeyProblem } from "../../runtime/partitions/DynamicPartitions.js"
import { dynamicNamesOf } from "../../runtime/partitions/dynamicNames.js"
import { Project } from "../../runtime/project/Project.js"
import { reportMaterialization, ReportError } from "../../runtime/report/reportMaterialization.js"
import { InvalidInput, InvalidPartition, Unauthorized, UnknownAsset, WritesDisabled } from "../errors.js"
import { assetNamed, partitionOf } from "../lookup.js"
import { ApiRouter } from "../route.js"
import type { ApiRuntime } from "../services.js"

const NameParam = Schema.Struct({ name: Schema.String })
const Keys = Schema.Struct({
  keys: Schema.Array(Schema.String.pipe(Schema.maxLength(160))).pipe(Schema.minItems(1), Schema.maxItems(1000))
}).annotations({ identifier: "PartitionKeys" })
const DynamicKeys = Schema.Struct({ name: Schema.String, keys: Schema.Array(Schema.String) }).annotations({ identifier: "DynamicPartitionKeys" })
const Changed = Schema.Struct({ name: Schema.String, changed: Schema.Array(Schema.String), keys: Schema.Array(Schema.String) })
const Report = Schema.Struct({
  partition: Schema.optional(Schema.String),
  dataVersion: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(64)),
  rowCount: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.nonNegative())),
  metadata: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
}).annotations({ identifier: "ReportMaterialization" })
const Reported = Schema.Struct({ id: Schema.String, asset: Schema.String, partition: Schema.NullOr(Schema.String), dataVersion: Schema.String, inputs: Schema.Number })

/** The project's dynamic partitions by name: an unknown name is a 404 naming the known ones. */
const knownName = (name: string) =>
  Effect.flatMap(Project, ({ graph }) => {
    const names = new Set([...graph.defs.values()].flatMap((d) => dynamicNamesOf(d.partitions)))
    return names.has(name)
      ? Effect.succeed(name)
      : Effect.fail(new UnknownAsset({ message: `no dynamic partitions named '${name}'${names.size > 0 ? `: the project has ${[...names].join(", ")}` : ""}`, suggestions: [...names] }))
  })

/** Dynamic partitions (their keys, adding and removing them) and materializations reported from outside. */
export const partitionsRouter = (runtime: ApiRuntime) => {
  const r = new ApiRouter("partitions", runtime)
  const keysOf = (name: string) => Effect.map(Effect.flatMap(EventStore, (s) => s.dynamicPartitions), (all) => all.get(name) ?? [])
  return r
    .route(
      {
        method: "get",
        path: "/partitions/:name",
        summary: "the keys of dynamic partitions, in the order they were added",
        params: NameParam,
        responses: { 200: { description: "the keys", schema: DynamicKeys } },
        errors: [UnknownAsset],
        access: "read"
      },
      async (c, { params }) =>
        c.json(await r.run(Effect.gen(function* () {
          const name = yield* knownName(params.name)
          return { name, keys: yield* keysOf(name) }
        })))
    )
    .route(
      {
        method: "post",
        path: "/partitions/:name",
        summary: "add keys to dynamic partitions (keys already there stay)",
        params: NameParam,
        body: Keys,
        responses: { 200: { description: "the keys added and all keys now", schema: Changed } },
        errors: [UnknownAsset, InvalidInput, Unauthorized, WritesDisabled],
        access: "write"
      },
      async (c, { params, body }) =>
        c.json(await r.run(Effect.gen(function* () {
          const name = yield* knownName(params.name)
          const problems = body.keys.map(dynamicKeyProblem).filter((p) => p !== undefined)
          if (problems.length > 0) return yield* new InvalidInput({ message: problems.join("; "), issues: problems.map((m) => ({ path: "keys", message: m })) })
          const changed = yield* (yield* EventStore).addDynamicPartitions(name, body.keys)
          return { name, changed, keys: yield* keysOf(name) }
        })))
    )
    .route(
      {
        method: "post",
        path: "/partitions/:name/remove",
        summary: "remove keys from dynamic partitions (their materializations stay in the record)",
        params: NameParam,
        body: Keys,
        responses: { 200: { description: "the keys removed and all keys now", schema: Changed } },
        errors: [UnknownAsset, InvalidInput, Unauthorized, WritesDisabled],
        access: "write"
      },
      async (c, { params, body }) =>
        c.json(await r.run(Effect.gen(function* () {
          const name = yield* knownName(params.name)
          const changed = yield* (yield* EventStore).removeDynamicPartitions(name, body.keys)
          return { name, changed, keys: yield* keysOf(name) }
        })))
    )
    .route(
      {
        method: "post",
        path: "/assets/:key/materializations",
        summary: "record a materialization made outside the runtime, with lineage to the current inputs",
        description: "Like `assets report`: the asset partition is current at once with the data version given; a later run replaces it as usual.",
        params: Schema.Struct({ key: Schema.String }),
        body: Report,
        responses: { 201: { description: "the materialization recorded", schema: Reported } },
        errors: [UnknownAsset, InvalidPartition, InvalidInput, Unauthorized, WritesDisabled],
        access: "write"
      },
      async (c, { params, body }) =>
        c.json(
          await r.run(
            Effect.gen(function* () {
              const def = yield* assetNamed(params.key)
              if (def._tag === "Source") return yield* new InvalidInput({ message: `${def.key} is a source: it is observed, not materialized`, issues: [] })
              const partition = (yield* partitionOf(def, body.partition, true))!
              const m = yield* reportMaterialization({ asset: def, partition, dataVersion: body.dataVersion, rowCount: body.rowCount, metadata: body.metadata }).pipe(
                Effect.catchTag("ReportError", (e: ReportError) => Effect.fail(new InvalidInput({ message: e.message, issues: [] })))
              )
              return { id: m.id, asset: m.asset, partition: m.partition, dataVersion: m.dataVersion, inputs: m.inputs.length }
            })
          ),
          201
        )
    )
}
