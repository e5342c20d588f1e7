import { Data, Effect } from "effect"
import type { AssetDef } from "../asset/Asset.js"
import { dataVersionProblem, MAX_DATA_VERSION } from "../asset/versionLimits.js"
import { EventStore } from "../events/EventStore.js"
import { newId } from "../events/ids.js"
import type { Materialization } from "../events/records.js"
import { loadState } from "../execute/materialize.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import { Project } from "../project/Project.js"
import { StatusResolver } from "../status/StatusResolver.js"

export class ReportError extends Data.TaggedError("ReportError")<{ readonly message: string }> {}

/**
 * Records a materialization made outside the runtime (a legacy job wrote the asset's output): its data version as
 * given, its lineage to the inputs as they are now, its code version the asset's current one. It is current at
 * once and published (the outside job wrote the stable path itself). A runner's record of the same partition
 * later replaces it as usual.
 */
export const reportMaterialization = Effect.fn("Runtime.report")(function* (request: {
  readonly asset: AssetDef<any, any>
  readonly partition: PartitionKey | null
  readonly dataVersion: string
  readonly rowCount?: number | undefined
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
}) {
  const { graph } = yield* Project
  const store = yield* EventStore
  const { asset, partition } = request
  if (dataVersionProblem(request.dataVersion) !== undefined || /[\u0000-\u001f]/.test(request.dataVersion)) {
    return yield* new ReportError({ message: `a data version is 1 to ${MAX_DATA_VERSION} printable characters, got '${request.dataVersion.slice(0, 80)}'` })
  }
  if (request.rowCount !== undefined && (!Number.isSafeInteger(request.rowCount) || request.rowCount < 0)) {
    return yield* new ReportError({ message: `a row count is a whole number >= 0, got ${request.rowCount}` })
  }
  const state = yield* loadState(graph, [asset.key], { record: true })
  const resolver = new StatusResolver(graph, state)
  const inputs = resolver.currentInputs(asset.key, partition)
  const missing = inputs.filter((i) => i.dataVersion === undefined)
  if (missing.length > 0) {
    return yield* new ReportError({
      message: `cannot report ${asset.key}${partition === null ? "" : `[${partition}]`}: inputs not materialized: ${missing
        .map((i) => `${i.edge.upstream}${i.partition === null ? "" : `[${i.partition}]`}`)
        .join(", ")}`
    })
  }
  const at = new Date().toISOString()
  const runId = newId("r")
  yield* store.startRun({ id: runId, kind: "report", selection: asset.key, status: "STARTED", host: "outside", pid: 0, startedAt: at, endedAt: null, heartbeatAt: Date.now() })
  const materialization: Materialization = {
    id: newId("m"),
    runId,
    asset: asset.key,
    partition,
    codeVersion: asset.codeVersion,
    dataVersion: request.dataVersion,
    rowCount: request.rowCount ?? 0,
    metadata: { ...request.metadata, reported: true },
    startedAt: at,
    endedAt: at,
    inputs: inputs.map((i) => ({ asset: i.edge.upstream, partition: i.partition, dataVersion: i.dataVersion!, producerId: i.producerId }))
  }
  yield* store.recordMaterialization(materialization)
  yield* store.markPublished([materialization])
  yield* store.endRun(runId, "SUCCESS")
  return materialization
})
