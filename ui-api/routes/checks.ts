import { Effect, Schema } from "effect"
import type { AssetKey } from "../../runtime/asset/AssetKey.js"
import type { CheckResult as CheckResultRecord } from "../../runtime/checks/CheckResult.js"
import { CheckStatus } from "../../runtime/checks/CheckResult.js"
import { CheckStore } from "../../runtime/checks/CheckStore.js"
import { EventStore } from "../../runtime/events/EventStore.js"
import { slot } from "../../runtime/status/State.js"
import { InvalidPartition, UnknownAsset } from "../errors.js"
import { assetNamed, partitionOf } from "../lookup.js"
import { ApiRouter } from "../route.js"
import { KeyParam, Limit, PartitionQuery } from "../schemas.js"
import type { ApiRuntime } from "../services.js"

const CheckDefinition = Schema.Struct({
  name: Schema.String,
  description: Schema.String,
  severity: Schema.Literal("error", "warn"),
  blocking: Schema.Boolean,
  version: Schema.String
}).annotations({ identifier: "CheckDefinition" })

const CheckResultView = Schema.Struct({
  check: Schema.String,
  status: CheckStatus,
  severity: Schema.Literal("error", "warn"),
  blocking: Schema.Boolean,
  failingRows: Schema.NullOr(Schema.Number),
  message: Schema.String,
  sample: Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  metadata: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  materializationId: Schema.String,
  /** null when `assets check` ran it alone */
  runId: Schema.NullOr(Schema.String),
  at: Schema.String,
  durationMs: Schema.Number,
  /** the check's definition changed since this result */
  stale: Schema.Boolean
}).annotations({ identifier: "CheckResultView" })

const PartitionChecks = Schema.Struct({
  partition: Schema.NullOr(Schema.String),
  /** the partition's current materialization (null: never published) */
  currentMaterializationId: Schema.NullOr(Schema.String),
  /** the latest result of each check; one whose materialization is not the current one checked a later attempt (a blocked one) or an earlier output */
  checks: Schema.Array(CheckResultView),
  failed: Schema.Number,
  warned: Schema.Number
}).annotations({ identifier: "PartitionChecks" })

const MaterializationChecks = Schema.Struct({
  materializationId: Schema.String,
  partition: Schema.NullOr(Schema.String),
  /** false when no record has its id: a blocking check kept the output unpublished (or its run stopped first) */
  recorded: Schema.Boolean,
  /** the current materialization of its partition */
  current: Schema.Boolean,
  /** every result of its checks, newest first (`assets check` may have run them again) */
  results: Schema.Array(CheckResultView)
}).annotations({ identifier: "MaterializationChecks" })

export const AssetChecks = Schema.Struct({
  asset: Schema.String,
  definitions: Schema.Array(CheckDefinition),
  partitions: Schema.Array(PartitionChecks),
  materializations: Schema.Struct({ items: Schema.Array(MaterializationChecks), nextCursor: Schema.NullOr(Schema.String) })
}).annotations({ identifier: "AssetChecks" })

/** An asset's checks: their definitions, the latest result per partition, and the results per materialization. */
export const checksRouter = (runtime: ApiRuntime) => {
  const r = new ApiRouter("checks", runtime)
  return r.route(
    {
      method: "get",
      path: "/assets/:key/checks",
      summary: "an asset's checks: the latest result of each per partition, and the results of its checked materializations (newest first, a cursor per page)",
      params: KeyParam,
      query: Schema.Struct({
        partition: PartitionQuery,
        before: Schema.optional(Schema.String.annotations({ description: "nextCursor of the previous page (a materialization id)" })),
        limit: Limit(200, 20)
      }),
      responses: { 200: { description: "the checks and their results", schema: AssetChecks } },
      errors: [UnknownAsset, InvalidPartition],
      access: "read"
    },
    async (c, { params, query }) =>
      c.json(
        await r.run(
          Effect.gen(function* () {
            const def = yield* assetNamed(params.key)
            const partition = yield* partitionOf(def, query.partition, false)
            const checks = def._tag === "Asset" ? def.checks : []
            const empty = { asset: def.key, definitions: [], partitions: [], materializations: { items: [], nextCursor: null } }
            if (checks.length === 0) return empty
            const store = yield* EventStore
            const checkStore = yield* CheckStore
            const versions = new Map(checks.map((ch) => [ch.name, ch.version]))
            const view = (res: CheckResultRecord) => ({
              check: res.check,
              status: res.status,
              severity: res.severity,
              blocking: res.blocking,
              failingRows: res.failingRows,
              message: res.message,
              sample: res.sample,
              metadata: res.metadata,
              materializationId: res.materializationId,
              runId: res.runId,
              at: res.at,
              durationMs: res.durationMs,
              stale: versions.get(res.check) !== res.checkVersion
            })
            const current = new Map(
              (yield* store.currentMaterializations([def.key as AssetKey])).map((m) => [slot(m.asset, m.partition), m.id] as const)
            )
            const latest = (yield* checkStore.latest([def.key as AssetKey], { partition })).filter((res) => versions.has(res.check))
            const byPartition = new Map<string | null, Array<CheckResultRecord>>()
            for (const res of latest) byPartition.set(res.partition, [...(byPartition.get(res.partition) ?? []), res])
            const order = new Map(checks.map((ch, i) => [ch.name, i]))
            const partitions = [...byPartition]
              .sort(([a], [b]) => (a === null || b === null || def.partitions === undefined ? 0 : def.partitions.compare(a, b)))
              .map(([p, rs]) => ({
                partition: p,
                currentMaterializationId: current.get(slot(def.key, p)) ?? null,
                checks: rs.sort((a, b) => order.get(a.check)! - order.get(b.check)!).map(view),
                failed: rs.filter((res) => res.status === "FAILED").length,
                warned: rs.filter((res) => res.status === "WARNED").length
              }))
            const history = yield* checkStore.history({ asset: def.key as AssetKey, partition, before: query.before, limit: query.limit + 1 })
            const ids = [...new Set(history.map((res) => res.materializationId))]
            const page = ids.slice(0, query.limit)
            const items = yield* Effect.forEach(page, (id) =>
              Effect.gen(function* () {
                const results = history.filter((res) => res.materializationId === id).reverse()
                const p = results[0]!.partition
                const recorded = current.get(slot(def.key, p)) === id || (yield* store.materialization(id)) !== undefined
                return { materializationId: id, partition: p, recorded, current: current.get(slot(def.key, p)) === id, results: results.map(view) }
              })
            )
            return {
              asset: def.key,
              definitions: checks.map((ch) => ({ name: ch.name, description: ch.description, severity: ch.severity, blocking: ch.blocking, version: ch.version })),
              partitions,
              materializations: { items, nextCursor: ids.length > query.limit ? page[page.length - 1]! : null }
            }
          })
        )
      )
  )
}
