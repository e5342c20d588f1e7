import { Schema } from "effect"

export const BackfillStatus = Schema.Literal("RUNNING", "COMPLETED", "FAILED", "CANCELED")
export type BackfillStatus = typeof BackfillStatus.Type

export const Backfill = Schema.Struct({
  id: Schema.String,
  selection: Schema.String,
  from: Schema.String,
  to: Schema.String,
  force: Schema.Boolean,
  status: BackfillStatus,
  createdAt: Schema.String,
  updatedAt: Schema.String,
  /** when a worker last said it works on it (epoch ms); null before any worker took it */
  heartbeatAt: Schema.NullOr(Schema.Number)
})
export type Backfill = typeof Backfill.Type

/** A task moves pending -> running -> one end state; a running task whose lease expired is claimable again. */
export const TaskState = Schema.Literal("pending", "running", "succeeded", "skipped", "failed", "abandoned")
export type TaskState = typeof TaskState.Type

export const BackfillTask = Schema.Struct({
  backfillId: Schema.String,
  taskId: Schema.String,
  seq: Schema.Number,
  asset: Schema.String,
  partition: Schema.NullOr(Schema.String),
  dependsOn: Schema.Array(Schema.String),
  state: TaskState,
  attempts: Schema.Number,
  worker: Schema.NullOr(Schema.String),
  leaseExpiresAt: Schema.NullOr(Schema.Number),
  startedAt: Schema.NullOr(Schema.String),
  endedAt: Schema.NullOr(Schema.String),
  message: Schema.String
})
export type BackfillTask = typeof BackfillTask.Type

/** What a runner needs of an open task to claim and run it (the window of open tasks is read on every claim). */
export type OpenTask = Pick<BackfillTask, "backfillId" | "taskId" | "seq" | "asset" | "partition" | "dependsOn" | "state" | "attempts" | "worker" | "leaseExpiresAt">
