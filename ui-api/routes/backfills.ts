import { Effect, Schema } from "effect"
import { streamSSE } from "hono/streaming"
import { BackfillStore } from "../../runtime/backfill/BackfillStore.js"
import { createBackfill } from "../../runtime/backfill/createBackfill.js"
import type { Backfill, BackfillTask, TaskState } from "../../runtime/backfill/records.js"
import { TaskState as TaskStateSchema } from "../../runtime/backfill/records.js"
import { resumeBackfill } from "../../runtime/backfill/resumeBackfill.js"
import { backfillHint, leaseTtlMs, shownBackfillStatus } from "../../runtime/execute/liveness.js"
import { BackfillLauncher } from "../BackfillLauncher.js"
import { BackfillConflict, InvalidPartition, InvalidSelection, Unauthorized, UnknownBackfill, WritesDisabled } from "../errors.js"
import { rangeOf, selectionOf } from "../lookup.js"
import { ApiRouter } from "../route.js"
import {
  BackfillDetail,
  BackfillGrid,
  BackfillList,
  BackfillStarted,
  BackfillTaskPage,
  BackfillView,
  IdParam,
  Limit,
  StartBackfill
} from "../schemas.js"
import type { ApiRuntime } from "../services.js"

const STATES: ReadonlyArray<TaskState> = ["pending", "running", "succeeded", "skipped", "failed", "abandoned"]
const noTasks = (): Record<TaskState, number> => ({ pending: 0, running: 0, succeeded: 0, skipped: 0, failed: 0, abandoned: 0 })
const countTasks = (tasks: ReadonlyArray<BackfillTask>) => {
  const counts = noTasks()
  for (const t of tasks) counts[t.state]++
  return counts
}
const totalOf = (c: Readonly<Record<TaskState, number>>) => STATES.reduce((n, s) => n + c[s], 0)

/** A backfill as a reader should see it, with its task counts and what can be done about it. */
const view = (b: Backfill, counts: Readonly<Record<TaskState, number>>) =>
  Effect.map(Effect.orDie(leaseTtlMs), (ttl) => {
    const status = shownBackfillStatus(b, Date.now(), ttl)
    return { ...b, status, stored: b.status, counts: { ...noTasks(), ...counts }, total: totalOf(counts), hint: backfillHint(b.id, status) }
  })

const backfillById = (id: string) =>
  Effect.flatMap(BackfillStore, (store) => store.get(id)).pipe(
    Effect.flatMap((b) => (b === undefined ? Effect.fail(new UnknownBackfill({ message: `no backfill '${id}': GET /api/backfills lists them` })) : Effect.succeed(b)))
  )

const viewById = (id: string) =>
  Effect.gen(function* () {
    const b = yield* backfillById(id)
    return yield* view(b, yield* (yield* BackfillStore).counts(id))
  })

/** Progress per asset, the rate at which tasks finish and when, at that rate, it would be done. */
const detailOf = (b: Backfill, tasks: ReadonlyArray<BackfillTask>) =>
  Effect.map(view(b, countTasks(tasks)), (v) => {
    const byAsset = new Map<string, Array<BackfillTask>>()
    for (const t of tasks) byAsset.set(t.asset, [...(byAsset.get(t.asset) ?? []), t])
    const starts = tasks.flatMap((t) => (t.startedAt ? [Date.parse(t.startedAt)] : []))
    const ends = tasks.flatMap((t) => (t.endedAt ? [Date.parse(t.endedAt)] : []))
    const first = starts.length > 0 ? Math.min(...starts) : null
    const last = ends.length > 0 ? Math.max(...ends) : null
    const finished = v.total - v.counts.pending - v.counts.running
    const minutes = first !== null && last !== null ? Math.max(last - first, 1) / 60_000 : null
    const ratePerMinute = minutes !== null && finished > 0 ? finished / minutes : null
    const open = v.counts.pending + v.counts.running
    return {
      ...v,
      byAsset: [...byAsset].map(([asset, ts]) => ({ asset, counts: countTasks(ts), total: ts.length })),
      ratePerMinute,
      etaSeconds: v.status === "RUNNING" && ratePerMinute !== null ? Math.round((open / ratePerMinute) * 60) : null,
      startedAt: first === null ? null : new Date(first).toISOString(),
      endedAt: open === 0 && last !== null ? new Date(last).toISOString() : null
    }
  })

/** What a cell of many tasks shows: the state a person most needs to see. */
const telling: ReadonlyArray<TaskState> = ["running", "failed", "abandoned", "pending", "skipped", "succeeded"]

/** Assets × partitions, the partitions in key order (an unpartitioned asset's task in a column of its own, first). */
const gridOf = (tasks: ReadonlyArray<BackfillTask>, maxColumns: number): typeof BackfillGrid.Type => {
  const keys = [...new Set(tasks.flatMap((t) => (t.partition === null ? [] : [t.partition])))].sort()
  const per = Math.max(1, Math.ceil(keys.length / maxColumns))
  const runs = Array.from({ length: Math.ceil(keys.length / per) }, (_, i) => keys.slice(i * per, (i + 1) * per))
  const whole = tasks.some((t) => t.partition === null)
  const columns = [...(whole ? [{ from: null, to: null, partitions: 0 }] : []), ...runs.map((r) => ({ from: r[0]!, to: r[r.length - 1]!, partitions: r.length }))]
  const columnOf = new Map(keys.map((k, i) => [k, Math.floor(i / per) + (whole ? 1 : 0)]))
  const assets = [...new Set(tasks.map((t) => t.asset))]
  const cells = new Map(assets.map((a) => [a, columns.map(() => [] as Array<TaskState>)]))
  for (const t of tasks) cells.get(t.asset)![t.partition === null ? 0 : columnOf.get(t.partition)!]!.push(t.state)
  return {
    columns,
    rows: assets.map((asset) => ({
      asset,
      cells: cells.get(asset)!.map((states) => ({
        state: telling.find((s) => states.includes(s)) ?? null,
        done: states.filter((s) => s === "succeeded" || s === "skipped").length,
        total: states.length
      }))
    }))
  }
}

/** The runtime's errors about a selection or partitions, as the API's. */
const asInputErrors = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.catchAll(effect, (e: E): Effect.Effect<never, E | InvalidSelection | InvalidPartition> => {
    const tag = typeof e === "object" && e !== null && "_tag" in e ? (e as { _tag: string })._tag : undefined
    const message = typeof e === "object" && e !== null && "message" in e ? String((e as { message: unknown }).message) : String(e)
    if (tag === "SelectionError") return Effect.fail(new InvalidSelection({ message, suggestions: [] }))
    if (tag === "PartitionError") return Effect.fail(new InvalidPartition({ message }))
    return Effect.fail(e)
  })

/** How often a live stream looks at a backfill's tasks. */
const POLL_MS = 250

/**
 * Backfills: the list, one with its progress per asset, its tasks (paged, filtered), its asset × partition grid,
 * starting, canceling and resuming one, and its progress live as Server-Sent Events. The work is the runtime's
 * (createBackfill, runBackfill, resumeBackfill); the server runs it in the background.
 */
export const backfillsRouter = (runtime: ApiRuntime) => {
  const r = new ApiRouter("backfills", runtime)
  return r
    .route(
      {
        method: "get",
        path: "/backfills",
        summary: "backfills, newest first, with their task counts",
        query: Schema.Struct({ limit: Limit(200, 50) }),
        responses: { 200: { description: "the backfills", schema: BackfillList } },
        errors: [],
        access: "read"
      },
      async (c, { query }) =>
        c.json(
          await r.run(
            Effect.gen(function* () {
              const store = yield* BackfillStore
              const list = yield* store.list(query.limit)
              return { items: yield* Effect.forEach(list, (b) => Effect.flatMap(store.counts(b.id), (counts) => view(b, counts))) }
            })
          )
        )
    )
    .route(
      {
        method: "post",
        path: "/backfills",
        summary: "plan and store a backfill, and work on it in the background; answers at once with its id",
        description:
          "Plans every stale or missing asset partition of the selection and its upstream in the range (partition, or from/to), like `assets backfill`; `force` runs the selected assets' partitions even when fresh.",
        body: StartBackfill,
        responses: { 202: { description: "the backfill is stored and running", schema: BackfillStarted } },
        errors: [InvalidSelection, InvalidPartition, Unauthorized, WritesDisabled],
        access: "write"
      },
      async (c, { body }) => {
        const created = await r.run(
          Effect.gen(function* () {
            const keys = yield* selectionOf(body.selection)
            const range = yield* rangeOf(keys, body)
            if (range === undefined) return yield* new InvalidPartition({ message: "a backfill needs a range: give from and to, or partition" })
            const made = yield* asInputErrors(createBackfill({ selection: body.selection, range, force: body.force ?? false }))
            yield* (yield* BackfillLauncher).run(made.backfill.id, body.concurrency ?? 2)
            return made
          })
        )
        const id = created.backfill.id
        return c.json(
          {
            backfillId: id,
            tasks: created.tasks.length,
            fresh: created.fresh,
            notes: [...created.notes],
            links: { backfill: `/api/backfills/${id}`, tasks: `/api/backfills/${id}/tasks`, stream: `/api/backfills/${id}/events/stream` }
          },
          202
        )
      }
    )
    .route(
      {
        method: "get",
        path: "/backfills/:id",
        summary: "one backfill: task counts per state and per asset, rate and ETA",
        params: IdParam,
        responses: { 200: { description: "the backfill", schema: BackfillDetail } },
        errors: [UnknownBackfill],
        access: "read"
      },
      async (c, { params }) =>
        c.json(await r.run(Effect.gen(function* () { return yield* detailOf(yield* backfillById(params.id), yield* (yield* BackfillStore).tasks(params.id)) })))
    )
    .route(
      {
        method: "get",
        path: "/backfills/:id/tasks",
        summary: "a backfill's tasks in plan order, paged, optionally of one state and one asset",
        params: IdParam,
        query: Schema.Struct({
          state: Schema.optional(TaskStateSchema),
          asset: Schema.optional(Schema.String),
          offset: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()), { default: () => 0 }),
          limit: Limit(1000, 100)
        }),
        responses: { 200: { description: "one page", schema: BackfillTaskPage } },
        errors: [UnknownBackfill],
        access: "read"
      },
      async (c, { params, query }) =>
        c.json(
          await r.run(
            Effect.gen(function* () {
              yield* backfillById(params.id)
              const all = yield* (yield* BackfillStore).tasks(params.id)
              const wanted = all.filter((t) => (query.state === undefined || t.state === query.state) && (query.asset === undefined || t.asset === query.asset))
              const items = wanted.slice(query.offset, query.offset + query.limit)
              const next = query.offset + items.length
              return { items, total: wanted.length, offset: query.offset, nextOffset: next < wanted.length ? next : null }
            })
          )
        )
    )
    .route(
      {
        method: "get",
        path: "/backfills/:id/grid",
        summary: "a backfill's progress as an asset × partition grid, at most `columns` columns wide",
        params: IdParam,
        query: Schema.Struct({ columns: Limit(500, 120) }),
        responses: { 200: { description: "the grid", schema: BackfillGrid } },
        errors: [UnknownBackfill],
        access: "read"
      },
      async (c, { params, query }) =>
        c.json(
          await r.run(
            Effect.gen(function* () {
              yield* backfillById(params.id)
              return gridOf(yield* (yield* BackfillStore).tasks(params.id), query.columns)
            })
          )
        )
    )
    .route(
      {
        method: "post",
        path: "/backfills/:id/cancel",
        summary: "cancel a running backfill: no new task starts, running tasks finish; resume continues it",
        params: IdParam,
        responses: { 200: { description: "the backfill, CANCELED", schema: BackfillView } },
        errors: [UnknownBackfill, BackfillConflict, Unauthorized, WritesDisabled],
        access: "write"
      },
      async (c, { params }) =>
        c.json(
          await r.run(
            Effect.gen(function* () {
              const store = yield* BackfillStore
              const b = yield* backfillById(params.id)
              if (!(yield* store.setStatus(b.id, "CANCELED", ["RUNNING"]))) {
                const now = (yield* store.get(b.id))?.status ?? b.status
                return yield* new BackfillConflict({
                  message: `backfill ${b.id} is ${now}: ${now === "CANCELED" ? "it was canceled already" : "it has finished, so there is nothing to cancel"}`
                })
              }
              return yield* viewById(b.id)
            })
          )
        )
    )
    .route(
      {
        method: "post",
        path: "/backfills/:id/resume",
        summary: "resume a canceled, failed or abandoned backfill: its failed and abandoned tasks run again, succeeded ones never",
        params: IdParam,
        body: Schema.Struct({ concurrency: StartBackfill.fields.concurrency }),
        responses: { 202: { description: "the backfill, running again", schema: BackfillView } },
        errors: [UnknownBackfill, BackfillConflict, Unauthorized, WritesDisabled],
        access: "write"
      },
      async (c, { params, body }) =>
        c.json(
          await r.run(
            Effect.gen(function* () {
              const b = yield* viewById(params.id)
              if (b.status === "RUNNING") return yield* new BackfillConflict({ message: `backfill ${b.id} is running: a worker works on it now` })
              if (b.status === "COMPLETED") {
                return yield* new BackfillConflict({ message: `backfill ${b.id} completed: every task succeeded or was fresh; start a new one (with force) to run them again` })
              }
              yield* resumeBackfill(b.id).pipe(Effect.orDie)
              yield* (yield* BackfillLauncher).run(b.id, body.concurrency ?? 2)
              return yield* viewById(b.id)
            })
          ),
          202
        )
    )
    .route(
      {
        method: "get",
        path: "/backfills/:id/events/stream",
        summary: "a backfill's progress live, as Server-Sent Events, until no worker runs it",
        description:
          "`event: progress` carries the Backfill (status and counts) whenever they change; `event: task` each task whose state changed, as a BackfillTask; a last `event: end` the Backfill once it has ended (completed, failed, canceled or abandoned) and none of its tasks runs.",
        params: IdParam,
        responses: { 200: { description: "an event stream", contentType: "text/event-stream" } },
        errors: [UnknownBackfill],
        access: "read"
      },
      async (c, { params }) => {
        const store = await r.run(BackfillStore)
        await r.run(backfillById(params.id))
        return streamSSE(c, async (stream) => {
          let states: Map<string, TaskState> | undefined
          let last = ""
          while (!stream.aborted) {
            const v = await r.run(viewById(params.id))
            const signature = `${v.status} ${STATES.map((s) => v.counts[s]).join(",")}`
            if (signature !== last) {
              const tasks = await r.run(store.tasks(params.id))
              if (states !== undefined) {
                for (const t of tasks) {
                  if (states.get(t.taskId) !== t.state) await stream.writeSSE({ event: "task", data: JSON.stringify(t) })
                }
              }
              states = new Map(tasks.map((t) => [t.taskId, t.state]))
              await stream.writeSSE({ event: "progress", data: JSON.stringify(v) })
              last = signature
            }
            // a dead worker's tasks stay running until another takes them: an abandoned backfill ends the stream at once
            if (v.status !== "RUNNING" && v.status !== "QUEUED" && (v.counts.running === 0 || v.status === "ABANDONED")) {
              await stream.writeSSE({ event: "end", data: JSON.stringify(v) })
              return
            }
            await stream.sleep(POLL_MS)
          }
        })
      }
    )
}
