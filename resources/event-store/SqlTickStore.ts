import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { TickStore, type Decision, type Tick } from "../../runtime/automation/TickStore.js"
import { Count, failingAs } from "./sqlShared.js"

const TickRow = Schema.Struct({
  id: Schema.String,
  daemon: Schema.String,
  started_at: Schema.String,
  ended_at: Schema.String,
  status: Schema.Literal("SUCCESS", "FAILURE", "TIMED_OUT", "CANCELED", "SKIPPED"),
  message: Schema.String,
  run_ids: Schema.String
})

const DecisionRow = Schema.Struct({
  tick_id: Schema.String,
  seq: Count,
  asset_key: Schema.String,
  partition_key: Schema.NullOr(Schema.String),
  decision: Schema.Literal("run", "skip", "wait", "running"),
  reason: Schema.String,
  run_id: Schema.NullOr(Schema.String)
})

/** TickStore on any @effect/sql client: a tick and its decisions in one transaction, read a page at a time. */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const wrap = yield* failingAs("tick store")
  const ticksOf = Schema.decodeUnknown(Schema.Array(TickRow))
  const decisionsOf = Schema.decodeUnknown(Schema.Array(DecisionRow))
  const toTick = (r: typeof TickRow.Type, decisions: ReadonlyArray<Decision>): Tick => ({
    id: r.id,
    daemon: r.daemon,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    status: r.status,
    message: r.message,
    runIds: JSON.parse(r.run_ids) as Array<string>,
    decisions
  })

  return TickStore.of({
    record: (tick) =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            yield* sql`INSERT INTO automation_ticks ${sql.insert({
              id: tick.id,
              daemon: tick.daemon,
              started_at: tick.startedAt,
              ended_at: tick.endedAt,
              status: tick.status,
              message: tick.message,
              run_ids: JSON.stringify(tick.runIds)
            })}`
            const rows = tick.decisions.map((d, seq) => ({
              tick_id: tick.id,
              seq,
              asset_key: d.asset,
              partition_key: d.partition,
              decision: d.decision,
              reason: d.reason,
              run_id: d.runId
            }))
            for (let i = 0; i < rows.length; i += 500) yield* sql`INSERT INTO automation_decisions ${sql.insert(rows.slice(i, i + 500))}`
          })
        )
        .pipe(wrap("recording a tick")),
    ticks: ({ asset, before, limit }) =>
      Effect.gen(function* () {
        const page = yield* sql`SELECT * FROM automation_ticks t WHERE 1 = 1
          ${before === undefined ? sql`` : sql`AND t.id < ${before}`}
          ${asset === undefined ? sql`` : sql`AND EXISTS (SELECT 1 FROM automation_decisions d WHERE d.asset_key = ${asset} AND d.tick_id = t.id)`}
          ORDER BY t.id DESC LIMIT ${limit}`.pipe(Effect.flatMap(ticksOf))
        if (page.length === 0) return []
        const decisions = yield* sql`SELECT * FROM automation_decisions WHERE ${sql.in("tick_id", page.map((t) => t.id))}
          ${asset === undefined ? sql`` : sql`AND asset_key = ${asset}`} ORDER BY tick_id, seq`.pipe(Effect.flatMap(decisionsOf))
        const byTick = new Map<string, Array<Decision>>()
        for (const d of decisions) {
          const list = byTick.get(d.tick_id) ?? []
          list.push({ asset: d.asset_key, partition: d.partition_key, decision: d.decision, reason: d.reason, runId: d.run_id })
          byTick.set(d.tick_id, list)
        }
        return page.map((t) => toTick(t, byTick.get(t.id) ?? []))
      }).pipe(wrap("reading ticks")),
    latest: sql`SELECT * FROM automation_ticks WHERE status <> 'SKIPPED' ORDER BY id DESC LIMIT 1`.pipe(
      Effect.flatMap(ticksOf),
      Effect.map((rows) => (rows[0] === undefined ? undefined : toTick(rows[0], []))),
      wrap("reading the latest tick")
    )
  })
})
