import { Effect } from "effect"
import { outputPath, sideOutputPath, type AssetDef, type InputFiles } from "../asset/Asset.js"
import type { AssetKey } from "../asset/AssetKey.js"
import { EventStore } from "../events/EventStore.js"
import type { Materialization } from "../events/records.js"
import { locationOf, outputsOf } from "../execute/outputs.js"
import type { AssetGraph } from "../graph/AssetGraph.js"
import { Lake } from "../lake/Lake.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import type { CheckResult } from "./CheckResult.js"
import { CheckStore } from "./CheckStore.js"
import { runChecks, type CheckTarget } from "./runChecks.js"

export interface CheckedPartition {
  readonly asset: AssetKey
  readonly partition: PartitionKey | null
  readonly materialization: Materialization
  readonly results: ReadonlyArray<CheckResult>
}

/**
 * The checks of the given assets run again over their current materializations, without materializing anything:
 * each output at its recorded version, each input a check reads at the version the materialization read. Each
 * asset partition's results are recorded in one write; they belong to the materialization they checked.
 */
export const checkMaterialized = Effect.fn("Checks.checkMaterialized")(function* (
  graph: AssetGraph,
  keys: ReadonlyArray<AssetKey>,
  include: (asset: AssetDef<any, any>, partition: PartitionKey | null) => boolean = () => true
) {
  const store = yield* EventStore
  const checks = yield* CheckStore
  const withChecks = keys.filter((k) => {
    const def = graph.get(k)
    return def._tag === "Asset" && def.checks.length > 0
  })
  const order = new Map(graph.order.map((k, i) => [k, i]))
  const current = (yield* store.currentMaterializations(withChecks))
    .filter((m) => include(graph.get(m.asset) as AssetDef<any, any>, m.partition))
    .sort((a, b) => {
      const def = graph.get(a.asset)
      if (a.asset !== b.asset) return order.get(a.asset)! - order.get(b.asset)!
      return a.partition === null || b.partition === null || def.partitions === undefined ? 0 : def.partitions.compare(a.partition, b.partition)
    })
  const out: Array<CheckedPartition> = []
  for (const m of current) {
    const def = graph.get(m.asset) as AssetDef<any, any>
    const results = yield* runChecks(yield* recordedTarget(graph, def, m))
    yield* checks.record(results)
    out.push({ asset: def.key, partition: m.partition, materialization: m, results })
  }
  return out
})

/** A recorded materialization as its checks read it: its output and side outputs at their versions, its inputs as read. */
const recordedTarget = (graph: AssetGraph, asset: AssetDef<any, any>, m: Materialization) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const lake = yield* Lake
    const partition = m.partition
    const versions = outputsOf(m)
    const located = (path: string) => versions.find((v) => v.path === path)?.location ?? path
    const main = outputPath(asset, partition ?? undefined)
    const sideOutputs: Record<string, CheckTarget["sideOutputs"][string]> = {}
    for (const name of Object.keys(asset.sideOutputs)) {
      const recorded = m.metadata[`${name}_path`]
      const path = typeof recorded === "string" ? recorded : sideOutputPath(asset, partition ?? undefined, name)
      sideOutputs[name] = { files: { format: "parquet", paths: [path], locations: [located(path)], columns: undefined }, rows: Number(m.metadata[`${name}_rows`] ?? 0) }
    }
    const inputs: Record<string, InputFiles> = {}
    for (const name of new Set(asset.checks.flatMap((c) => c.inputs))) {
      const edge = graph.inputs(asset.key).find((e) => e.name === name)
      if (edge === undefined) continue
      const up = graph.get(edge.upstream)
      const paths: Array<string> = []
      const locations: Array<string> = []
      for (const read of m.inputs.filter((i) => i.asset === edge.upstream)) {
        if (up._tag === "Asset") {
          const path = outputPath(up, read.partition ?? undefined)
          const producer = read.producerId === null ? undefined : yield* store.materialization(read.producerId)
          paths.push(path)
          locations.push(producer === undefined ? path : (locationOf(producer) ?? path))
        } else if (up.prefix !== undefined) {
          for (const o of yield* lake.list(up.prefix(read.partition ?? undefined))) {
            paths.push(o.path)
            locations.push(o.path)
          }
        }
      }
      inputs[name] = { format: up.format, paths, locations, columns: up._tag === "Asset" ? up.columns : undefined }
    }
    return {
      asset,
      partition,
      materializationId: m.id,
      runId: null,
      output: { format: asset.format, paths: [main], locations: [locationOf(m) ?? main], columns: asset.columns },
      rowCount: m.rowCount,
      sideOutputs,
      inputs,
      window: partition === null ? undefined : asset.partitions?.window(partition)
    } satisfies CheckTarget
  })
