import { definitionView } from "../partitionsView.js"
import { describeCondition } from "../../runtime/automation/AutomationCondition.js"
import { freshnessOf } from "../../runtime/automation/freshness.js"
import type { StatusResolver } from "../../runtime/status/StatusResolver.js"
import { rootCauses } from "../../runtime/status/rootCauses.js"
import { Effect, Schema } from "effect"
import { typeName } from "../../runtime/asset/ddl.js"
import type { AssetKey } from "../../runtime/asset/AssetKey.js"
import { EventStore } from "../../runtime/events/EventStore.js"
import { Project } from "../../runtime/project/Project.js"
import { slot } from "../../runtime/status/State.js"
import { loadRunStates, summarize } from "../../runtime/status/summary.js"
import { InvalidPartition, UnknownAsset } from "../errors.js"
import { assetNamed, partitionOf } from "../lookup.js"
import { ApiRouter } from "../route.js"
import { AssetDetail, AssetList, KeyParam, PartitionList, PartitionStatusView } from "../schemas.js"
import type { ApiRuntime } from "../services.js"
import { partitionStatus, partitionView, resolverFor } from "../status.js"

/** An asset's freshness policy as it stands, for those that declare one. */
const policyOf = (resolver: StatusResolver, key: AssetKey) => {
  const f = freshnessOf(resolver, key)
  return f === undefined ? {} : { freshnessPolicy: f }
}

/** Assets: the list with status, one asset in detail, its partitions' status. */
export const assetsRouter = (runtime: ApiRuntime) => {
  const r = new ApiRouter("assets", runtime)
  return r
    .route(
      {
        method: "get",
        path: "/assets",
        summary: "every asset in dependency order, with its status",
        responses: { 200: { description: "the assets", schema: AssetList } },
        errors: [],
        access: "read"
      },
      async (c) =>
        c.json(
          await r.run(
            Effect.gen(function* () {
              const { graph } = yield* Project
              const resolver = yield* resolverFor(graph.order, { records: false })
              const runs = yield* loadRunStates(graph.order)
              return {
                assets: graph.order.map((key) => {
                  const def = graph.get(key)
                  const s = summarize(resolver, key, runs)
                  return {
                    key,
                    kind: s.kind,
                    group: def.group,
                    description: def.description,
                    partitioned: s.partitioned,
                    status: s.status,
                    counts: s.counts,
                    inputs: graph.inputs(key).map((e) => e.upstream as string),
                    ...policyOf(resolver, key)
                  }
                })
              }
            })
          )
        )
    )
    .route(
      {
        method: "get",
        path: "/assets/:key",
        summary: "one asset: definition, code version, status with causes, latest materialization, partitions summary",
        params: KeyParam,
        responses: { 200: { description: "the asset", schema: AssetDetail } },
        errors: [UnknownAsset],
        access: "read"
      },
      async (c, { params }) =>
        c.json(
          await r.run(
            Effect.gen(function* () {
              const { graph } = yield* Project
              const store = yield* EventStore
              const def = yield* assetNamed(params.key)
              const resolver = yield* resolverFor([def.key])
              const runs = yield* loadRunStates([def.key])
              const s = summarize(resolver, def.key, runs)
              const statuses = resolver.statuses(def.key)
              const [latest] = def._tag === "Asset" ? yield* store.materializations({ asset: def.key, limit: 1 }) : []
              const edge = (asset: AssetKey, e: { name: string; mapping: { describe: string } }) => ({ asset, name: e.name, mapping: e.mapping.describe })
              const partitionKeys = statuses.map((p) => p.partition).filter((p) => p !== null)
              return {
                key: def.key,
                kind: s.kind,
                group: def.group,
                description: def.description,
                zone: def._tag === "Asset" ? def.zone : null,
                format: def.format,
                codeVersion: def._tag === "Asset" ? def.codeVersion : null,
                partitionsDefinition: def.partitions ? definitionView(def.partitions, resolver.ctx) : null,
                columns: def._tag === "Asset" ? def.columns.map((col) => ({ name: col.name, type: typeName(col.type, "duckdb"), nullable: col.nullable })) : [],
                inputs: graph.inputs(def.key).map((e) => edge(e.upstream, e)),
                outputs: graph.outputs(def.key).map((e) => edge(e.downstream, e)),
                status: s.status,
                notFresh: statuses.filter((p) => p.status !== "FRESH" || runs.failed.has(slot(p.asset, p.partition))).slice(0, 100).map((p) => partitionView(resolver, p, runs.failed)),
                partitions: {
                  count: statuses.length,
                  first: partitionKeys[0] ?? null,
                  last: partitionKeys[partitionKeys.length - 1] ?? null,
                  counts: s.counts
                },
                latestMaterialization: latest ?? null,
                ...(def._tag === "Asset" && def.automation !== undefined ? { automation: describeCondition(def.automation) } : {}),
                ...policyOf(resolver, def.key)
              } satisfies typeof AssetDetail.Type
            })
          )
        )
    )
    .route(
      {
        method: "get",
        path: "/assets/:key/partitions",
        summary: "status of every partition of an asset that has data, with causes and current materialization",
        params: KeyParam,
        responses: { 200: { description: "the partitions", schema: PartitionList } },
        errors: [UnknownAsset],
        access: "read"
      },
      async (c, { params }) =>
        c.json(
          await r.run(
            Effect.gen(function* () {
              const def = yield* assetNamed(params.key)
              const resolver = yield* resolverFor([def.key])
              const { failed } = yield* loadRunStates([def.key])
              return { asset: def.key, partitions: resolver.statuses(def.key).map((p) => partitionView(resolver, p, failed)) }
            })
          )
        )
    )
    .route(
      {
        method: "get",
        path: "/assets/:key/partitions/:partition",
        summary: "status of one asset partition with its causes",
        params: Schema.Struct({ key: Schema.String, partition: Schema.String.annotations({ description: "a key of the asset's partitions: 2023-08, 2023-08-14, europe, 2023-08|europe" }) }),
        responses: { 200: { description: "the partition", schema: PartitionStatusView } },
        errors: [UnknownAsset, InvalidPartition],
        access: "read"
      },
      async (c, { params }) =>
        c.json(
          await r.run(
            Effect.gen(function* () {
              const def = yield* assetNamed(params.key)
              const partition = (yield* partitionOf(def, params.partition, true))!
              const resolver = yield* resolverFor([def.key])
              const view = partitionStatus(resolver, def.key, partition, (yield* loadRunStates([def.key])).failed)
              const roots = rootCauses(resolver, def.key, partition).map((r) => ({ ...r, cause: { ...r.cause, message: r.message } }))
              return { ...view, rootCauses: roots }
            })
          )
        )
    )
}
