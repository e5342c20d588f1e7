import { Schema } from "effect"
import { Count } from "./sqlShared.js"
import type { Observation, Run, RunEvent } from "../../runtime/events/records.js"


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
