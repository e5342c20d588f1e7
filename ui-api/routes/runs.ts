import { Effect, Schema } from "effect"
import { streamSSE } from "hono/streaming"
import { EventStore } from "../../runtime/events/EventStore.js"
import { RunStatus } from "../../runtime/events/records.js"
import { InvalidInput, InvalidPartition, InvalidSelection, Unauthorized, UnknownAsset, UnknownRun, WritesDisabled } from "../errors.js"
import { assetNamed, rangeOf, selectionOf } from "../lookup.js"
import { ApiRouter } from "../route.js"
import { RunLauncher } from "../RunLauncher.js"
import { IdParam, Limit, RunDetail, RunEvents, RunKind, RunPage, RunStarted, StartRun } from "../schemas.js"
import { runSteps } from "../runSteps.js"
import { Run } from "../../runtime/events/records.js"
import type { ApiRuntime } from "../services.js"
import { leaseTtlMs, shownStatus } from "../../runtime/execute/liveness.js"

/** A run as a reader should see it: STARTED only while its process lives, else ABANDONED. */
const shown = (run: Run) => Effect.map(Effect.orDie(leaseTtlMs), (ttl) => ({ ...run, status: shownStatus(run, Date.now(), ttl) }))

const runById = (id: string) =>
  Effect.flatMap(EventStore, (store) => store.run(id)).pipe(
    Effect.flatMap((run) => (run === undefined ? Effect.fail(new UnknownRun({ message: `no run '${id}' in the event store` })) : shown(run)))
  )

/** How many runs one page of a filtered list looks through at most (the store has no index by kind or asset). */
const SCAN = 2000

/**
 * A page of runs that pass the filters, newest first. Status is the shown one (a dead STARTED run is ABANDONED); an
 * asset filter keeps runs with a step of that asset. When the scan bound is reached first, the page may hold fewer
 * than `limit` runs and its cursor goes on from the last run looked at.
 */
const filteredRuns = (query: {
  readonly status?: Run["status"] | undefined
  readonly kind?: Run["kind"] | undefined
  readonly asset?: string | undefined
  readonly before?: string | undefined
  readonly limit: number
}) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    // a dead run is stored STARTED: those two are told apart only once read
    const stored = query.status === "STARTED" || query.status === "ABANDONED" ? undefined : query.status
    const batch = Math.min(500, Math.max(query.limit + 1, 100))
    const items: Array<Run> = []
    let cursor = query.before
    let scanned = 0
    let exhausted = false
    while (items.length <= query.limit && scanned < SCAN) {
      const page = yield* store.runs({ limit: batch, ...(stored ? { status: stored } : {}), ...(cursor ? { before: cursor } : {}) })
      for (const found of page) {
        scanned++
        cursor = found.id
        const run = yield* shown(found)
        if (query.status !== undefined && run.status !== query.status) continue
        if (query.kind !== undefined && run.kind !== query.kind) continue
        if (query.asset !== undefined && !(yield* store.runEvents(run.id)).some((e) => e.asset === query.asset)) continue
        items.push(run)
        if (items.length > query.limit) break
      }
      if (page.length < batch) {
        exhausted = true
        break
      }
    }
    const more = items.length > query.limit
    const page = items.slice(0, query.limit)
    return { items: page, nextCursor: more ? page[page.length - 1]!.id : !exhausted && cursor !== undefined ? cursor : null }
  })

const AfterSeq = Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()), { default: () => 0 })

/** How often a live stream looks for new events of a run. */
const POLL_MS = 200

/** Runs: the list, one run, its events (as a page or live as Server-Sent Events), and starting a materialization. */
export const runsRouter = (runtime: ApiRuntime) => {
  const r = new ApiRouter("runs", runtime)
  return r
    .route(
      {
        method: "get",
        path: "/runs",
        summary: "runs, newest first, optionally of one status, kind and asset; paginated with a cursor",
        description: `A filtered page looks through at most ${SCAN} runs: it may then hold fewer than limit runs, and its nextCursor goes on from there.`,
        query: Schema.Struct({
          status: Schema.optional(RunStatus),
          kind: Schema.optional(RunKind),
          asset: Schema.optional(Schema.String.annotations({ description: "runs with a step of this asset" })),
          before: Schema.optional(Schema.String),
          limit: Limit(500, 50)
        }),
        responses: { 200: { description: "one page", schema: RunPage } },
        errors: [UnknownAsset],
        access: "read"
      },
      async (c, { query }) =>
        c.json(
          await r.run(
            Effect.gen(function* () {
              if (query.asset !== undefined) yield* assetNamed(query.asset)
              return yield* filteredRuns(query)
            })
          )
        )
    )
    .route(
      {
        method: "post",
        path: "/runs",
        summary: "start a materialization in the background; answers at once with the run id",
        description: "Plans the selection (and whatever upstream of it is missing or stale) like `assets materialize`, then runs it in the server.",
        body: StartRun,
        responses: { 202: { description: "the run started", schema: RunStarted } },
        errors: [InvalidInput, InvalidSelection, InvalidPartition, Unauthorized, WritesDisabled],
        access: "write"
      },
      async (c, { body }) => {
        const runId = await r.run(
          Effect.gen(function* () {
            const keys = yield* selectionOf(body.selection)
            const range = yield* rangeOf(keys, body)
            return yield* (yield* RunLauncher).start({
              selection: body.selection,
              range,
              force: body.force ?? false,
              concurrency: body.concurrency ?? 2
            })
          })
        )
        return c.json(
          { runId, links: { run: `/api/runs/${runId}`, events: `/api/runs/${runId}/events`, stream: `/api/runs/${runId}/events/stream` } },
          202
        )
      }
    )
    .route(
      {
        method: "get",
        path: "/runs/:id",
        summary: "one run with its steps: asset, partition, state, start, end, duration, rows and the whole error",
        params: IdParam,
        responses: { 200: { description: "the run", schema: RunDetail } },
        errors: [UnknownRun],
        access: "read"
      },
      async (c, { params }) =>
        c.json(
          await r.run(
            Effect.gen(function* () {
              const run = yield* runById(params.id)
              const steps = runSteps(yield* (yield* EventStore).runEvents(run.id))
              return { ...run, durationMs: run.endedAt === null ? null : Date.parse(run.endedAt) - Date.parse(run.startedAt), steps }
            })
          )
        )
    )
    .route(
      {
        method: "get",
        path: "/runs/:id/events",
        summary: "a run's events after a sequence number",
        params: IdParam,
        query: Schema.Struct({ after: AfterSeq }),
        responses: { 200: { description: "the events, and whether the run has ended", schema: RunEvents } },
        errors: [UnknownRun],
        access: "read"
      },
      async (c, { params, query }) =>
        c.json(
          await r.run(
            Effect.gen(function* () {
              const run = yield* runById(params.id)
              const items = yield* (yield* EventStore).runEvents(run.id, query.after)
              return { items, ended: run.status !== "STARTED" }
            })
          )
        )
    )
    .route(
      {
        method: "get",
        path: "/runs/:id/events/stream",
        summary: "a run's events live, as Server-Sent Events, until the run ends",
        description:
          "Each event is `event: run-event` with the RunEvent as JSON data and its seq as id (Last-Event-ID resumes). A last `event: end` carries the run.",
        params: IdParam,
        query: Schema.Struct({ after: AfterSeq }),
        responses: { 200: { description: "an event stream", contentType: "text/event-stream" } },
        errors: [UnknownRun],
        access: "read"
      },
      async (c, { params, query }) => {
        const store = await r.run(EventStore)
        await r.run(runById(params.id))
        const resume = Number(c.req.header("last-event-id"))
        let after = Number.isInteger(resume) && resume > 0 ? resume : query.after
        return streamSSE(c, async (stream) => {
          while (!stream.aborted) {
            // the status first: events read after it saw the end are all the events there are
            const run = await r.run(runById(params.id))
            const events = await r.run(store.runEvents(params.id, after))
            for (const e of events) {
              await stream.writeSSE({ id: String(e.seq), event: "run-event", data: JSON.stringify(e) })
              after = e.seq
            }
            if (run.status !== "STARTED") {
              await stream.writeSSE({ event: "end", data: JSON.stringify(run) })
              return
            }
            await stream.sleep(POLL_MS)
          }
        })
      }
    )
}
