import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { affectedRows, Count, failingAs, chunks } from "./sqlShared.js"
import { BackfillStore, type TaskEnd } from "../../runtime/backfill/BackfillStore.js"
import type { Backfill, BackfillTask, OpenTask } from "../../runtime/backfill/records.js"


const BackfillRow = Schema.Struct({
  id: Schema.String,
  selection: Schema.String,
  range_from: Schema.String,
  range_to: Schema.String,
  force_run: Count,
  status: Schema.Literal("RUNNING", "COMPLETED", "FAILED", "CANCELED"),
  created_at: Schema.String,
  updated_at: Schema.String,
  heartbeat_at: Schema.NullOr(Count)
})

const TaskRow = Schema.Struct({
  backfill_id: Schema.String,
  task_id: Schema.String,
  seq: Count,
  asset_key: Schema.String,
  partition_key: Schema.String,
  depends_on: Schema.String,
  state: Schema.Literal("pending", "running", "succeeded", "skipped", "failed", "abandoned"),
  attempts: Count,
  worker: Schema.NullOr(Schema.String),
  lease_expires_at: Schema.NullOr(Count),
  started_at: Schema.NullOr(Schema.String),
  ended_at: Schema.NullOr(Schema.String),
  message: Schema.String
})

const OpenTaskRow = TaskRow.pipe(Schema.pick("backfill_id", "task_id", "seq", "asset_key", "partition_key", "depends_on", "state", "attempts", "worker", "lease_expires_at"))

const openTaskOf = (r: typeof OpenTaskRow.Type): OpenTask => ({
  backfillId: r.backfill_id,
  taskId: r.task_id,
  seq: r.seq,
  asset: r.asset_key,
  partition: r.partition_key === "" ? null : r.partition_key,
  dependsOn: JSON.parse(r.depends_on) as Array<string>,
  state: r.state,
  attempts: r.attempts,
  worker: r.worker,
  leaseExpiresAt: r.lease_expires_at
})

const backfillOf = (r: typeof BackfillRow.Type): Backfill => ({
  id: r.id,
  selection: r.selection,
  from: r.range_from,
  to: r.range_to,
  force: r.force_run === 1,
  status: r.status,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  heartbeatAt: r.heartbeat_at
})

const taskOf = (r: typeof TaskRow.Type): BackfillTask => ({
  ...openTaskOf(r),
  startedAt: r.started_at,
  endedAt: r.ended_at,
  message: r.message
})

/** BackfillStore on any @effect/sql client; the tables come from the shared migrations. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const wrap = yield* failingAs("backfill store")
  const decodeBackfills = Schema.decodeUnknown(Schema.Array(BackfillRow))
  const decodeTasks = Schema.decodeUnknown(Schema.Array(TaskRow))
  const decodeOpenTasks = Schema.decodeUnknown(Schema.Array(OpenTaskRow))
  const now = () => new Date().toISOString()

  return BackfillStore.of({
    create: (b, tasks) =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            yield* sql`INSERT INTO backfills ${sql.insert({
              id: b.id,
              selection: b.selection,
              range_from: b.from,
              range_to: b.to,
              force_run: b.force ? 1 : 0,
              status: b.status,
              created_at: b.createdAt,
              updated_at: b.updatedAt
            })}`
            for (let i = 0; i < tasks.length; i += 500) {
              yield* sql`INSERT INTO backfill_tasks ${sql.insert(
                tasks.slice(i, i + 500).map((t) => ({
                  backfill_id: t.backfillId,
                  task_id: t.taskId,
                  seq: t.seq,
                  asset_key: t.asset,
                  partition_key: t.partition ?? "",
                  depends_on: JSON.stringify(t.dependsOn),
                  state: t.state,
                  attempts: t.attempts,
                  worker: t.worker,
                  lease_expires_at: t.leaseExpiresAt,
                  started_at: t.startedAt,
                  ended_at: t.endedAt,
                  message: t.message
                }))
              )}`
            }
          })
        )
        .pipe(wrap("creating a backfill")),
    get: (id) =>
      sql`SELECT * FROM backfills WHERE id = ${id}`.pipe(
        Effect.flatMap(decodeBackfills),
        Effect.map((rs) => (rs[0] ? backfillOf(rs[0]) : undefined)),
        wrap("reading a backfill")
      ),
    list: (limit) =>
      sql`SELECT * FROM backfills ORDER BY id DESC LIMIT ${limit}`.pipe(
        Effect.flatMap(decodeBackfills),
        Effect.map((rs) => rs.map(backfillOf)),
        wrap("listing backfills")
      ),
    setStatus: (id, status, from) =>
      sql`UPDATE backfills SET status = ${status}, updated_at = ${now()}
          WHERE id = ${id}${from === undefined ? sql`` : sql` AND ${sql.in("status", [...from])}`}`.raw.pipe(
        Effect.map((raw) => affectedRows(raw) === 1),
        wrap("updating a backfill")
      ),
    tasks: (id) =>
      sql`SELECT * FROM backfill_tasks WHERE backfill_id = ${id} ORDER BY seq`.pipe(
        Effect.flatMap(decodeTasks),
        Effect.map((rs) => rs.map(taskOf)),
        wrap("reading backfill tasks")
      ),
    open: (id, limit, fromSeq) =>
      sql`SELECT backfill_id, task_id, seq, asset_key, partition_key, depends_on, state, attempts, worker, lease_expires_at
          FROM backfill_tasks WHERE backfill_id = ${id} AND seq >= ${fromSeq} AND state IN ('pending', 'running') ORDER BY seq LIMIT ${limit}`.pipe(
        Effect.flatMap(decodeOpenTasks),
        Effect.map((rs) => rs.map(openTaskOf)),
        wrap("reading open backfill tasks")
      ),
    failedAmong: (id, taskIds) =>
      (taskIds.length === 0
        ? Effect.succeed<ReadonlyArray<{ task_id: string }>>([])
        : sql<{ task_id: string }>`SELECT task_id FROM backfill_tasks WHERE backfill_id = ${id} AND ${sql.in("task_id", [...taskIds])} AND state IN ('failed', 'abandoned')`
      ).pipe(
        Effect.map((rs) => rs.map((r) => r.task_id)),
        wrap("reading failed backfill tasks")
      ),
    counts: (id) =>
      sql<{ state: string; n: number | string }>`SELECT state, count(*) AS n FROM backfill_tasks WHERE backfill_id = ${id} GROUP BY state`.pipe(
        Effect.map((rs) => {
          const out = { pending: 0, running: 0, succeeded: 0, skipped: 0, failed: 0, abandoned: 0 }
          for (const r of rs) out[r.state as keyof typeof out] = Number(r.n)
          return out
        }),
        wrap("counting backfill tasks")
      ),
    claim: (t, worker, leaseExpiresAt) =>
      Effect.gen(function* () {
        // the conditional update matches for one claimer only: the attempt count moves on for everyone else
        const updated = yield* sql`UPDATE backfill_tasks
          SET state = 'running', worker = ${worker}, attempts = ${t.attempts + 1}, lease_expires_at = ${leaseExpiresAt}, started_at = ${now()}
          WHERE backfill_id = ${t.backfillId} AND task_id = ${t.taskId} AND state = ${t.state} AND attempts = ${t.attempts}
            AND EXISTS (SELECT 1 FROM backfills WHERE id = ${t.backfillId} AND status = 'RUNNING')`.raw
        return affectedRows(updated) === 1
      }).pipe(wrap("claiming a task")),
    claimAll: (tasks, worker, leaseExpiresAt) =>
      Effect.gen(function* () {
        if (tasks.length === 0) return []
        const backfillId = tasks[0]!.backfillId
        // each task as it was seen, as `claim` does; one statement, and a second only when some were taken by others
        const updated = yield* sql`UPDATE backfill_tasks
          SET state = 'running', worker = ${worker}, attempts = attempts + 1, lease_expires_at = ${leaseExpiresAt}, started_at = ${now()}
          WHERE backfill_id = ${backfillId} AND (${sql.or(tasks.map((t) => sql`(task_id = ${t.taskId} AND state = ${t.state} AND attempts = ${t.attempts})`))})
            AND EXISTS (SELECT 1 FROM backfills WHERE id = ${backfillId} AND status = 'RUNNING')`.raw
        if (affectedRows(updated) === tasks.length) return tasks.map((t) => t.taskId)
        if (affectedRows(updated) === 0) return []
        const rows = yield* sql<{ task_id: string; worker: string | null; state: string; attempts: number | string }>`SELECT task_id, worker, state, attempts
          FROM backfill_tasks WHERE backfill_id = ${backfillId} AND ${sql.in("task_id", tasks.map((t) => t.taskId))}`
        const seen = new Map(tasks.map((t) => [t.taskId, t.attempts]))
        return rows.filter((r) => r.worker === worker && r.state === "running" && Number(r.attempts) === seen.get(r.task_id)! + 1).map((r) => r.task_id)
      }).pipe(wrap("claiming tasks")),
    renew: (backfillId, worker, leaseExpiresAt) =>
      Effect.zipRight(
        sql`UPDATE backfill_tasks SET lease_expires_at = ${leaseExpiresAt}
            WHERE backfill_id = ${backfillId} AND worker = ${worker} AND state = 'running'`,
        sql`UPDATE backfills SET heartbeat_at = ${Date.now()} WHERE id = ${backfillId}`
      ).pipe(Effect.asVoid, wrap("renewing task leases")),
    release: (backfillId, taskIds, worker) =>
      taskIds.length === 0
        ? Effect.void
        : sql`UPDATE backfill_tasks SET state = 'pending', worker = NULL, lease_expires_at = NULL, message = 'stopped before it finished'
            WHERE backfill_id = ${backfillId} AND worker = ${worker} AND state = 'running' AND ${sql.in("task_id", [...taskIds])}`.pipe(
            Effect.asVoid,
            wrap("giving back backfill tasks")
          ),
    finish: (backfillId, taskId, worker, state, message) =>
      sql`UPDATE backfill_tasks SET state = ${state}, message = ${message}, ended_at = ${now()}, lease_expires_at = NULL
          WHERE backfill_id = ${backfillId} AND task_id = ${taskId} AND worker = ${worker} AND state = 'running'`.pipe(
        Effect.asVoid,
        wrap("finishing a task")
      ),
    finishAll: (backfillId, worker, ends) =>
      Effect.forEach(
        chunks(ends, 200),
        (batch) => {
          const each = (column: (e: TaskEnd) => string) => sql`CASE task_id ${sql.join(" ", false)(batch.map((e) => sql`WHEN ${e.taskId} THEN ${column(e)}`))} END`
          return sql`UPDATE backfill_tasks SET state = ${each((e) => e.state)}, message = ${each((e) => e.message)}, ended_at = ${each((e) => e.endedAt)}, lease_expires_at = NULL
            WHERE backfill_id = ${backfillId} AND worker = ${worker} AND state = 'running' AND ${sql.in("task_id", batch.map((e) => e.taskId))}`
        },
        { discard: true }
      ).pipe(wrap("finishing tasks")),
    reset: (id, states) =>
      Effect.gen(function* () {
        if (states.length === 0) return 0
        const rows = yield* decodeTasks(yield* sql`SELECT * FROM backfill_tasks WHERE backfill_id = ${id} AND ${sql.in("state", [...states])}`)
        if (rows.length > 0) {
          yield* sql`UPDATE backfill_tasks SET state = 'pending', worker = NULL, lease_expires_at = NULL, message = ''
            WHERE backfill_id = ${id} AND ${sql.in("state", [...states])}`
        }
        return rows.length
      }).pipe(wrap("resetting backfill tasks"))
  })
})
