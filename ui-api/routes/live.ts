import { Effect, Schema } from "effect"
import type { Context } from "hono"
import { streamSSE } from "hono/streaming"
import { BackfillStore } from "../../runtime/backfill/BackfillStore.js"
import { progressOf } from "../../runtime/backfill/runBackfill.js"
import { EventStore } from "../../runtime/events/EventStore.js"
import { leaseTtlMs, shownBackfillStatus, shownStatus } from "../../runtime/execute/liveness.js"
import { LeaseStore } from "../../runtime/lease/LeaseStore.js"
import { InvalidSelection } from "../errors.js"
import { selectionOf } from "../lookup.js"
import { ApiRouter } from "../route.js"
import { LiveState, SelectionResult } from "../schemas.js"
import type { ApiRuntime } from "../services.js"

/** What is going on now: the materialization watermark, live runs, held asset partitions, running backfills. */
const liveState = Effect.gen(function* () {
  const store = yield* EventStore
  const leases = yield* LeaseStore
  const backfills = yield* BackfillStore
  const ttl = yield* Effect.orDie(leaseTtlMs)
  const now = Date.now()
  const runs = (yield* store.runs({ status: "STARTED", limit: 50 })).filter((r) => shownStatus(r, now, ttl) === "STARTED")
  const running = (yield* leases.live()).map((l) => ({ asset: l.asset, partition: l.partition }))
  running.sort((a, b) => `${a.asset} ${a.partition}`.localeCompare(`${b.asset} ${b.partition}`))
  const open = (yield* backfills.list(20)).filter((b) => b.status === "RUNNING")
  return {
    version: yield* store.latestMaterializationId,
    runs: runs.map((r) => ({ id: r.id, kind: r.kind, selection: r.selection, startedAt: r.startedAt })),
    running,
    backfills: yield* Effect.forEach(open, (b) =>
      Effect.map(backfills.counts(b.id), (c) => {
        const p = progressOf(c)
        return { id: b.id, status: shownBackfillStatus(b, now, ttl), done: p.done + p.failed, total: p.total }
      })
    )
  } satisfies typeof LiveState.Type
})

/** How often the live stream looks for changes, and how often it says it is still there when nothing changes. */
const POLL_MS = 300
const KEEPALIVE_MS = 15_000

/** The live state as Server-Sent Events: at once, then whenever it changes, with a comment now and then while it does not. */
const liveStream = (c: Context, r: ApiRouter) =>
  streamSSE(c, async (stream) => {
    let last = ""
    let said = Date.now()
    while (!stream.aborted) {
      const state = JSON.stringify(await r.run(liveState))
      if (state !== last) {
        await stream.writeSSE({ event: "state", data: state })
        last = state
        said = Date.now()
      } else if (Date.now() - said > KEEPALIVE_MS) {
        await stream.write(": still here\n\n")
        said = Date.now()
      }
      await stream.sleep(POLL_MS)
    }
  })

/** What the page needs beside the resources: the state of things live, and a selection resolved as the CLI does. */
export const liveRouter = (runtime: ApiRuntime) => {
  const r = new ApiRouter("live", runtime)
  return r
    .route(
      {
        method: "get",
        path: "/live",
        summary: "what is going on now: live runs, held asset partitions, running backfills, the newest materialization",
        description:
          "With `Accept: text/event-stream`, Server-Sent Events until the client leaves: one `event: state` (a LiveState) at once and another whenever it changes; a page refreshes what it shows when they move. Otherwise the LiveState once, as JSON.",
        responses: { 200: { description: "the state now, or a stream of states", schema: LiveState, alternatives: ["text/event-stream"] } },
        errors: [],
        access: "read"
      },
      async (c) => ((c.req.header("accept") ?? "").includes("text/event-stream") ? liveStream(c, r) : c.json(await r.run(liveState)))
    )
    .route(
      {
        method: "get",
        path: "/selection",
        summary: "the asset keys a selection names, in dependency order (the CLI's syntax: key, +key, key+, 2+key, key+2, comma lists)",
        query: Schema.Struct({ selection: Schema.String.pipe(Schema.maxLength(2000)) }),
        responses: { 200: { description: "the keys", schema: SelectionResult } },
        errors: [InvalidSelection],
        access: "read"
      },
      async (c, { query }) => c.json({ selection: query.selection, keys: [...(await r.run(selectionOf(query.selection)))] })
    )
}
