import { Effect } from "effect"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { loadStatus } from "../runtime/status/loadStatus.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { Project } from "../runtime/project/Project.js"
import { describeCause } from "../runtime/status/Cause.js"
import type { PartitionStatus } from "../runtime/status/StatusResolver.js"
import { StatusResolver } from "../runtime/status/StatusResolver.js"
import { slot } from "../runtime/status/State.js"
import { sideOutputsOf } from "../runtime/execute/outputs.js"
import type { RunStates } from "../runtime/status/summary.js"

/**
 * A resolver over the state as it is now (sources observed) for the given assets and their upstream: statuses
 * that have not changed since they were last computed come from the status cache. With `records`, the state
 * holds the given assets' own records (a partition's view shows its materialization); a summary needs none, and
 * reading every asset's records made the asset list read every current record on each request.
 */
export const resolverFor = (keys: ReadonlyArray<AssetKey>, options: { readonly records: boolean } = { records: true }) =>
  Effect.gen(function* () {
    const { graph } = yield* Project
    const view = yield* loadStatus(graph, keys, options.records ? { recordsOf: keys } : {})
    yield* view.save
    return view.resolver
  })

/** A partition's status with readable causes, its current materialization, and its failure when its latest attempt failed. */
export const partitionView = (resolver: StatusResolver, s: PartitionStatus, failures: RunStates["failed"] = new Map()) => {
  const m = resolver.state.materialization(s.asset, s.partition)
  const failure = failures.get(slot(s.asset, s.partition))
  return {
    partition: s.partition,
    status: failure === undefined ? s.status : ("FAILED" as const),
    freshness: s.status,
    causes: s.causes.map((c) => ({ ...c, message: describeCause(c) })),
    materialization: m === undefined ? null : { id: m.id, dataVersion: m.dataVersion, rowCount: m.rowCount, endedAt: m.endedAt, runId: m.runId },
    failure: failure === undefined ? null : { runId: failure.runId, at: failure.at, message: failure.message },
    sideOutputs: m === undefined ? {} : sideOutputsOf(resolver.graph.get(s.asset), m)
  }
}

export const partitionStatus = (resolver: StatusResolver, key: AssetKey, partition: PartitionKey | null, failures?: RunStates["failed"]) =>
  partitionView(resolver, resolver.status(key, partition), failures)
