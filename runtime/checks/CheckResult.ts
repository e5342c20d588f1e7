import { Schema } from "effect"
import { AssetKey } from "../asset/AssetKey.js"
import { PartitionKey } from "../partitions/PartitionKey.js"

/** PASSED; FAILED (an error-severity check); WARNED (a warning's failure: recorded, never blocking). */
export const CheckStatus = Schema.Literal("PASSED", "FAILED", "WARNED")
export type CheckStatus = typeof CheckStatus.Type

/** One check's result on one asset partition's output: it belongs to the materialization whose output it read. */
export const CheckResult = Schema.Struct({
  id: Schema.String,
  asset: AssetKey,
  partition: Schema.NullOr(PartitionKey),
  check: Schema.String,
  /** the check's version when it ran: a different version now makes this result stale */
  checkVersion: Schema.String,
  severity: Schema.Literal("error", "warn"),
  blocking: Schema.Boolean,
  status: CheckStatus,
  /** the materialization checked; when a blocking failure kept it unpublished, no record has this id */
  materializationId: Schema.String,
  /** the run that materialized it; null when `assets check` ran the check alone */
  runId: Schema.NullOr(Schema.String),
  /** rows the check's SQL returned (null: an Effect check that counted none, or a check that could not run) */
  failingRows: Schema.NullOr(Schema.Number),
  /** the first few failing rows */
  sample: Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  message: Schema.String,
  metadata: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  at: Schema.String,
  durationMs: Schema.Number
}).annotations({ identifier: "CheckResult" })
export type CheckResult = typeof CheckResult.Type
