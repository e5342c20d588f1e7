import { Schema } from "effect"
import { Count } from "./sqlShared.js"
import type { Materialization, Observation, Run, RunEvent } from "../../runtime/events/records.js"


export const RunRow = Schema.Struct({
  id: Schema.String,
  kind: Schema.Literal("materialize", "backfill", "report"),
  selection: Schema.String,
  status: Schema.Literal("STARTED", "SUCCESS", "FAILURE", "CANCELED", "ABANDONED"),
  host: Schema.String,
  pid: Count,
  started_at: Schema.String,
  ended_at: Schema.NullOr(Schema.String),
  heartbeat_at: Schema.NullOr(Count)
})

export const runFromRow = (r: typeof RunRow.Type): Run => ({
  id: r.id,
  kind: r.kind,
  selection: r.selection,
  status: r.status,
  host: r.host,
  pid: r.pid,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  heartbeatAt: r.heartbeat_at
})

export const RunEventRow = Schema.Struct({
  seq: Count,
  run_id: Schema.String,
  at: Schema.String,
  type: Schema.String,
  asset_key: Schema.NullOr(Schema.String),
  partition_key: Schema.NullOr(Schema.String),
  message: Schema.String
})

export const runEventFromRow = (r: typeof RunEventRow.Type): RunEvent =>
  ({
    seq: r.seq,
    runId: r.run_id,
    at: r.at,
    type: r.type,
    asset: r.asset_key,
    partition: r.partition_key || null,
    message: r.message
  }) as unknown as RunEvent

export const MaterializationRow = Schema.Struct({
  id: Schema.String,
  run_id: Schema.String,
  asset_key: Schema.String,
  partition_key: Schema.String,
  code_version: Schema.String,
  data_version: Schema.String,
  row_count: Count,
  metadata: Schema.String,
  started_at: Schema.String,
  ended_at: Schema.String
})

export const InputRow = Schema.Struct({
  materialization_id: Schema.String,
  input_asset_key: Schema.String,
  input_partition_key: Schema.String,
  data_version: Schema.String,
  producer_id: Schema.NullOr(Schema.String)
})

export const materializationFromRows = (
  r: typeof MaterializationRow.Type,
  inputs: ReadonlyArray<typeof InputRow.Type>
): Materialization =>
  ({
    id: r.id,
    runId: r.run_id,
    asset: r.asset_key,
    partition: r.partition_key === "" ? null : r.partition_key,
    codeVersion: r.code_version,
    dataVersion: r.data_version,
    rowCount: r.row_count,
    metadata: JSON.parse(r.metadata),
    startedAt: r.started_at,
    endedAt: r.ended_at,
    inputs: inputs.map((i) => ({
      asset: i.input_asset_key,
      partition: i.input_partition_key === "" ? null : i.input_partition_key,
      dataVersion: i.data_version,
      producerId: i.producer_id
    }))
  }) as unknown as Materialization

/** A materialization beside one of its inputs, from a LEFT JOIN: the input columns are NULL when it read none. */
export const MaterializationWithInputRow = Schema.Struct({
  ...MaterializationRow.fields,
  input_asset_key: Schema.NullOr(Schema.String),
  input_partition_key: Schema.NullOr(Schema.String),
  input_data_version: Schema.NullOr(Schema.String),
  input_producer_id: Schema.NullOr(Schema.String)
})

/** The materializations in joined rows, each with its inputs, in the order they first appear. */
export const materializationsFromJoinedRows = (rows: ReadonlyArray<typeof MaterializationWithInputRow.Type>): Array<Materialization> => {
  const byId = new Map<string, { row: typeof MaterializationWithInputRow.Type; inputs: Array<typeof InputRow.Type> }>()
  for (const r of rows) {
    let entry = byId.get(r.id)
    if (entry === undefined) byId.set(r.id, (entry = { row: r, inputs: [] }))
    if (r.input_asset_key !== null) {
      entry.inputs.push({
        materialization_id: r.id,
        input_asset_key: r.input_asset_key,
        input_partition_key: r.input_partition_key ?? "",
        data_version: r.input_data_version ?? "",
        producer_id: r.input_producer_id
      })
    }
  }
  return [...byId.values()].map((e) => materializationFromRows(e.row, e.inputs))
}

export const ObservationRow = Schema.Struct({
  id: Schema.String,
  asset_key: Schema.String,
  partition_key: Schema.String,
  data_version: Schema.String,
  observed_at: Schema.String
})

export const observationFromRow = (r: typeof ObservationRow.Type): Observation =>
  ({
    id: r.id,
    asset: r.asset_key,
    partition: r.partition_key === "" ? null : r.partition_key,
    dataVersion: r.data_version,
    observedAt: r.observed_at
  }) as unknown as Observation
