import { Schema } from "effect"
import { AssetKey } from "../asset/AssetKey.js"
import { PartitionKey } from "../partitions/PartitionKey.js"

export const RunStatus = Schema.Literal("STARTED", "SUCCESS", "FAILURE", "CANCELED", "ABANDONED")
export type RunStatus = typeof RunStatus.Type

export const Run = Schema.Struct({
  id: Schema.String,
  kind: Schema.Literal("materialize", "backfill", "report"),
  selection: Schema.String,
  status: RunStatus,
  host: Schema.String,
  pid: Schema.Number,
  startedAt: Schema.String,
  endedAt: Schema.NullOr(Schema.String),
  /** when the run's process last said it was alive (epoch ms); a STARTED run whose beat stopped was abandoned */
  heartbeatAt: Schema.NullOr(Schema.Number)
})
export type Run = typeof Run.Type

/** One input partition a materialization read, with the version it had and the record that produced it. */
export const InputRecord = Schema.Struct({
  asset: AssetKey,
  partition: Schema.NullOr(PartitionKey),
  dataVersion: Schema.String,
  /** the materialization (or, for a source, the observation) that produced what was read */
  producerId: Schema.NullOr(Schema.String)
})
export type InputRecord = typeof InputRecord.Type

export const Materialization = Schema.Struct({
  id: Schema.String,
  runId: Schema.String,
  asset: AssetKey,
  partition: Schema.NullOr(PartitionKey),
  codeVersion: Schema.String,
  dataVersion: Schema.String,
  rowCount: Schema.Number,
  metadata: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  startedAt: Schema.String,
  endedAt: Schema.String,
  inputs: Schema.Array(InputRecord)
})
export type Materialization = typeof Materialization.Type

/** The latest attempt of an asset partition failed (after its latest success or fresh check). */
export const Failure = Schema.Struct({
  asset: AssetKey,
  partition: Schema.NullOr(PartitionKey),
  at: Schema.String,
  runId: Schema.String,
  message: Schema.String
})
export type Failure = typeof Failure.Type

export const Observation = Schema.Struct({
  id: Schema.String,
  asset: AssetKey,
  partition: Schema.NullOr(PartitionKey),
  dataVersion: Schema.String,
  observedAt: Schema.String
})
export type Observation = typeof Observation.Type

export const RunEventType = Schema.Literal(
  "RUN_START",
  "RUN_END",
  "PLANNED",
  "STEP_START",
  "STEP_SUCCESS",
  "STEP_FAILURE",
  "STEP_SKIPPED_FRESH",
  "STEP_ABANDONED",
  "STEP_CANCELED",
  "OBSERVED",
  "STAGING_CLEANED",
  "PUBLISHED",
  "RUN_CANCELED"
)
export type RunEventType = typeof RunEventType.Type

export const RunEvent = Schema.Struct({
  seq: Schema.Number,
  runId: Schema.String,
  at: Schema.String,
  type: RunEventType,
  asset: Schema.NullOr(AssetKey),
  partition: Schema.NullOr(PartitionKey),
  message: Schema.String
})
export type RunEvent = typeof RunEvent.Type
export type NewRunEvent = Omit<RunEvent, "seq">
