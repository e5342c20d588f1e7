import { Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeApp } from "../ui-api/app.js"
import {
  BackfillDetail,
  BackfillGrid,
  BackfillList,
  BackfillStarted,
  BackfillTaskPage,
  BackfillView,
  CausePage,
  LiveState,
  PartitionHealth,
  RunDetail,
  RunPage,
  RunStarted,
  SelectionResult
} from "../ui-api/schemas.js"
import { uiFixture, uiKnobs, type UiFixture } from "./support/uiProject.js"

/**
 * The routes the web page reads and writes beside the resources': backfills (list, one, tasks, grid, start,
 * cancel, resume, live), runs filtered and one run's steps, an asset's partitions as a health bar and its causes
 * paged, a selection resolved, and the live state.
 */
let f: UiFixture
let app: ReturnType<typeof makeApp>

beforeAll(async () => {
  f = await uiFixture()
  app = makeApp(f.runtime)
})
afterAll(async () => {
  await f?.dispose()
})

const get = (path: string) => app.request(path)
const post = (path: string, body: unknown = {}) =>
  app.request(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) })

const ok = async <A, I>(res: Response, schema: Schema.Schema<A, I, never>, status = 200): Promise<A> => {
  const body = await res.json()
  expect(res.status, JSON.stringify(body)).toBe(status)
  return Schema.decodeUnknownSync(schema)(body)
}

const fails = async (res: Response, status: number, tag: string) => {
  const body = (await res.json()) as { _tag: string; message: string }
  expect(res.status, JSON.stringify(body)).toBe(status)
  expect(body._tag).toBe(tag)
  expect(body.message.length).toBeGreaterThan(10)
  return body
}

/** the events of a Server-Sent Events body, read to its end */
const sse = async (res: Response) =>
  (await res.text())
    .split("\n\n")
    .filter((b) => b.trim() !== "" && !b.startsWith(":"))
    .map((block) => {
      const field = (name: string) => block.split("\n").find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim()
      return { event: field("event"), data: JSON.parse(field("data") ?? "null") }
    })

/** the first event of a stream that does not end by itself */
const firstEvent = async (res: Response) => {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ""
  while (!text.includes("\n\n")) {
    const { value, done } = await reader.read()
    if (done) break
    text += value
  }
  await reader.cancel()
  const block = text.split("\n\n")[0]!
  const field = (name: string) => block.split("\n").find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim()
  return { event: field("event"), data: JSON.parse(field("data") ?? "null") }
}

describe("partitions, selection, live", () => {
  it("GET /api/assets/:key/health cuts a range into buckets with counts; a bad range is a 400", async () => {
    const all = await ok(await get("/api/assets/streaming_films/health"), PartitionHealth)
    expect(all).toMatchObject({ asset: "streaming_films", total: 4, range: { from: "2023-01", to: "2023-04", offset: 0, count: 4 } })
    expect(all.buckets.map((b) => [b.from, b.to, b.partitions])).toEqual([
      ["2023-01", "2023-01", 1],
      ["2023-02", "2023-02", 1],
      ["2023-03", "2023-03", 1],
      ["2023-04", "2023-04", 1]
    ])
    const two = await ok(await get("/api/assets/streaming_films/health?buckets=2"), PartitionHealth)
    expect(two.buckets.map((b) => [b.from, b.to, b.partitions])).toEqual([
      ["2023-01", "2023-02", 2],
      ["2023-03", "2023-04", 2]
    ])
    expect(two.buckets.reduce((n, b) => n + b.counts.FRESH + b.counts.STALE + b.counts.MISSING + (b.counts.FAILED ?? 0) + (b.counts.RUNNING ?? 0), 0)).toBe(4)
    const middle = await ok(await get("/api/assets/streaming_films/health?from=2023-02&to=2023-03"), PartitionHealth)
    expect(middle.range).toEqual({ from: "2023-02", to: "2023-03", offset: 1, count: 2 })
    const whole = await ok(await get("/api/assets/raw_film/health"), PartitionHealth)
    expect(whole).toMatchObject({ total: 0, buckets: [] })
    await fails(await get("/api/assets/streaming_films/health?from=1999-01"), 400, "InvalidPartition")
    await fails(await get("/api/assets/streaming_films/health?from=2023-03&to=2023-01"), 400, "InvalidPartition")
    await fails(await get("/api/assets/streaming_films/health?buckets=0"), 400, "InvalidInput")
    await fails(await get("/api/assets/streaming_flims/health"), 404, "UnknownAsset")
  })

  it("GET /api/assets/:key/causes pages the partitions that are not fresh", async () => {
    const missing = await ok(await get("/api/assets/state_report/causes"), CausePage)
    expect(missing).toMatchObject({ asset: "state_report", total: 1, nextOffset: null })
    expect(missing.items[0]!.causes[0]!.message).toBe("never materialized")
    const slow = await ok(await get("/api/assets/slow_films/causes?limit=2"), CausePage)
    expect(slow.total).toBe(4)
    expect(slow.items.length).toBe(2)
    expect(slow.nextOffset).toBe(2)
    const rest = await ok(await get("/api/assets/slow_films/causes?limit=2&offset=2"), CausePage)
    expect(rest.items.map((p) => p.partition)).not.toContain(slow.items[0]!.partition)
  })

  it("GET /api/selection resolves the CLI's syntax", async () => {
    const up = await ok(await get("/api/selection?selection=%2Bstreaming_films"), SelectionResult)
    expect(up.keys).toContain("clean_film")
    expect(up.keys[up.keys.length - 1]).toBe("streaming_films")
    const down = await ok(await get("/api/selection?selection=streaming_films%2B1"), SelectionResult)
    expect([...down.keys].sort()).toEqual(["slow_films", "streaming_counts", "streaming_films"].sort())
    await fails(await get("/api/selection?selection=streaming_flims"), 400, "InvalidSelection")
    await fails(await get("/api/selection?selection=%2B%2Bx"), 400, "InvalidSelection")
    await fails(await get("/api/selection"), 400, "InvalidInput")
  })

  it("GET /api/live says what is going on: as JSON once, or as a stream of states", async () => {
    const once = await ok(await get("/api/live"), LiveState)
    expect(once.running).toEqual([])
    expect(once.runs).toEqual([])
    const first = await firstEvent(await app.request("/api/live", { headers: { Accept: "text/event-stream" } }))
    expect(first.event).toBe("state")
    const state = Schema.decodeUnknownSync(LiveState)(first.data)
    expect(state.version).not.toBeNull()
    expect(state.running).toEqual([])
  })

  it("no user input makes a 500 on these routes", async () => {
    for (const path of [
      "/api/backfills/%00",
      "/api/backfills/%27%20OR%201%3D1/tasks?offset=99999999",
      "/api/backfills/x/tasks?offset=-1",
      "/api/backfills/x/grid?columns=1e9",
      "/api/assets/streaming_films/health?from=%00&to=%2F",
      "/api/assets/streaming_films/causes?offset=1e99",
      "/api/runs?asset=%00&kind=backfill",
      "/api/runs/%2e%2e",
      "/api/selection?selection=" + "a".repeat(3000)
    ]) {
      const res = await get(path)
      expect(res.status, path).toBeLessThan(500)
    }
  })
})

describe("backfills", () => {
  it("POST /api/backfills starts one in the background; its stream follows it to COMPLETED; detail, tasks, grid and list agree", async () => {
    uiKnobs.slowMs = 50
    const started = await ok(await post("/api/backfills", { selection: "streaming_films", from: "2023-01", to: "2023-03", force: true }), BackfillStarted, 202)
    expect(started.tasks).toBe(3)
    const events = await sse(await get(started.links.stream))
    const end = events[events.length - 1]!
    expect(end.event).toBe("end")
    expect(Schema.decodeUnknownSync(BackfillView)(end.data)).toMatchObject({ id: started.backfillId, status: "COMPLETED", total: 3 })
    expect(events.filter((e) => e.event === "progress").length).toBeGreaterThan(0)

    const detail = await ok(await get(started.links.backfill), BackfillDetail)
    expect(detail).toMatchObject({ status: "COMPLETED", stored: "COMPLETED", selection: "streaming_films", from: "2023-01", to: "2023-03", force: true })
    expect(detail.counts.succeeded).toBe(3)
    expect(detail.byAsset).toEqual([{ asset: "streaming_films", counts: { pending: 0, running: 0, succeeded: 3, skipped: 0, failed: 0, abandoned: 0 }, total: 3 }])
    expect(detail.ratePerMinute).toBeGreaterThan(0)
    expect(detail.etaSeconds).toBeNull()
    expect(detail.endedAt! >= detail.startedAt!).toBe(true)

    const pages: Array<string> = []
    let offset: number | null = 0
    while (offset !== null) {
      const page: typeof BackfillTaskPage.Type = await ok(await get(`${started.links.tasks}?limit=2&offset=${offset}`), BackfillTaskPage)
      expect(page.total).toBe(3)
      pages.push(...page.items.map((t) => t.partition!))
      offset = page.nextOffset
    }
    expect(pages).toEqual(["2023-01", "2023-02", "2023-03"])
    expect((await ok(await get(`${started.links.tasks}?state=failed`), BackfillTaskPage)).total).toBe(0)
    expect((await ok(await get(`${started.links.tasks}?state=succeeded&asset=streaming_films`), BackfillTaskPage)).total).toBe(3)
    expect((await ok(await get(`${started.links.tasks}?asset=clean_film`), BackfillTaskPage)).items).toEqual([])

    const grid = await ok(await get(`/api/backfills/${started.backfillId}/grid`), BackfillGrid)
    expect(grid.columns.map((c) => c.from)).toEqual(["2023-01", "2023-02", "2023-03"])
    expect(grid.rows).toEqual([{ asset: "streaming_films", cells: [1, 2, 3].map(() => ({ state: "succeeded", done: 1, total: 1 })) }])
    const narrow = await ok(await get(`/api/backfills/${started.backfillId}/grid?columns=2`), BackfillGrid)
    expect(narrow.columns).toEqual([
      { from: "2023-01", to: "2023-02", partitions: 2 },
      { from: "2023-03", to: "2023-03", partitions: 1 }
    ])

    const list = await ok(await get("/api/backfills"), BackfillList)
    expect(list.items.find((b) => b.id === started.backfillId)).toMatchObject({ status: "COMPLETED", total: 3 })

    // the backfill's own run is a run of kind backfill, and the runs list filters by kind
    const runs = await ok(await get("/api/runs?kind=backfill"), RunPage)
    expect(runs.items.length).toBeGreaterThan(0)
    expect(runs.items.every((r) => r.kind === "backfill")).toBe(true)
    expect(runs.items.some((r) => r.selection.includes(started.backfillId))).toBe(true)
  })

  it("cancel stops a running backfill (no new task starts); resume runs only what is left, to COMPLETED", async () => {
    uiKnobs.slowMs = 1500
    const started = await ok(
      await post("/api/backfills", { selection: "slow_films", from: "2023-01", to: "2023-03", force: true, concurrency: 1 }),
      BackfillStarted,
      202
    )
    expect(started.tasks).toBe(3)
    const canceled = await ok(await post(`/api/backfills/${started.backfillId}/cancel`), BackfillView)
    expect(canceled.status).toBe("CANCELED")
    const stopped = await sse(await get(started.links.stream))
    expect(stopped[stopped.length - 1]!.data).toMatchObject({ status: "CANCELED" })
    const after = await ok(await get(started.links.backfill), BackfillDetail)
    expect(after.counts.pending).toBeGreaterThan(0)
    expect(after.counts.running).toBe(0)
    await fails(await post(`/api/backfills/${started.backfillId}/cancel`), 409, "BackfillConflict")

    uiKnobs.slowMs = 50
    const resumed = await ok(await post(`/api/backfills/${started.backfillId}/resume`, {}), BackfillView, 202)
    expect(resumed.stored).toBe("RUNNING")
    const events = await sse(await get(started.links.stream))
    expect(events[events.length - 1]!.data).toMatchObject({ status: "COMPLETED" })
    expect(events.some((e) => e.event === "task" && e.data.state === "succeeded")).toBe(true)
    const done = await ok(await get(started.links.backfill), BackfillDetail)
    expect(done.counts.succeeded + done.counts.skipped).toBe(3)
    await fails(await post(`/api/backfills/${started.backfillId}/resume`, {}), 409, "BackfillConflict")
    await fails(await post(`/api/backfills/${started.backfillId}/cancel`), 409, "BackfillConflict")
  })

  it("bad backfills are 400s and unknown ones 404s", async () => {
    await fails(await post("/api/backfills", { selection: "streaming_film", from: "2023-01", to: "2023-02" }), 400, "InvalidSelection")
    await fails(await post("/api/backfills", { selection: "streaming_films" }), 400, "InvalidPartition")
    await fails(await post("/api/backfills", { selection: "streaming_films", from: "2023-03", to: "2023-01" }), 400, "InvalidPartition")
    await fails(await post("/api/backfills", { selection: "streaming_films", from: "2023-13", to: "2023-14" }), 400, "InvalidPartition")
    await fails(await post("/api/backfills", { selection: 7 }), 400, "InvalidInput")
    await fails(await post("/api/backfills", "[1,"), 400, "InvalidInput")
    await fails(await post("/api/backfills/b-nope/resume", { concurrency: 99 }), 400, "InvalidInput")
    for (const path of ["/api/backfills/b-nope", "/api/backfills/b-nope/tasks", "/api/backfills/b-nope/grid", "/api/backfills/b-nope/events/stream"]) {
      await fails(await get(path), 404, "UnknownBackfill")
    }
    await fails(await post("/api/backfills/b-nope/cancel"), 404, "UnknownBackfill")
    await fails(await post("/api/backfills/b-nope/resume"), 404, "UnknownBackfill")
    await fails(await get("/api/backfills?limit=0"), 400, "InvalidInput")
    await fails(await get("/api/backfills/b-nope/tasks?state=done"), 400, "InvalidInput")
  })

  it("writes follow the same rules as every write: token, same origin, JSON", async () => {
    const guarded = makeApp(f.runtime)
    const foreign = await guarded.request("/api/backfills/b-x/cancel", { method: "POST", headers: { "Content-Type": "application/json", Origin: "https://evil.example" } })
    await fails(foreign, 403, "CrossSiteRequest")
    const form = await guarded.request("/api/backfills", { method: "POST", headers: { "Content-Type": "text/plain" }, body: "{}" })
    await fails(form, 415, "UnsupportedMediaType")
  })
})

describe("runs", () => {
  it("GET /api/runs filters by status, kind and asset; GET /api/runs/:id has every step with duration and rows", async () => {
    const materialize = await ok(await get("/api/runs?kind=materialize&status=SUCCESS"), RunPage)
    expect(materialize.items.map((r) => r.id)).toContain(f.firstRun.runId)
    expect(materialize.items.every((r) => r.kind === "materialize" && r.status === "SUCCESS")).toBe(true)
    const ofReport = await ok(await get("/api/runs?asset=category_report"), RunPage)
    expect(ofReport.items.map((r) => r.id)).toContain(f.firstRun.runId)
    const ofSlow = await ok(await get("/api/runs?asset=partner_upload"), RunPage)
    expect(ofSlow.items.map((r) => r.id)).not.toContain(f.firstRun.runId)
    const one = await ok(await get("/api/runs?limit=1"), RunPage)
    expect(one.items.length).toBe(1)
    expect(one.nextCursor).toBe(one.items[0]!.id)
    await fails(await get("/api/runs?asset=categry_report"), 404, "UnknownAsset")
    await fails(await get("/api/runs?kind=sideways"), 400, "InvalidInput")

    const run = await ok(await get(`/api/runs/${f.firstRun.runId}`), RunDetail)
    expect(run.durationMs).toBeGreaterThan(0)
    const ran = f.firstRun.outcomes.filter((o) => o.state === "succeeded")
    const succeeded = run.steps.filter((s) => s.state === "succeeded")
    expect(succeeded.length).toBe(ran.length)
    for (const s of succeeded) {
      expect(s.durationMs, `${s.asset}[${s.partition}]`).toBeGreaterThanOrEqual(0)
      expect(Date.parse(s.endedAt!)).toBeGreaterThanOrEqual(Date.parse(s.startedAt!))
      expect(s.rows).toBe(ran.find((o) => o.task.asset === s.asset && o.task.partition === s.partition)!.materialization!.rowCount)
    }
    expect(run.steps.find((s) => s.asset === "streaming_films" && s.partition === "2023-02")).toBeDefined()
  })

  it("a failed step carries its whole error", async () => {
    uiKnobs.failUpload = true
    try {
      const { links, runId } = await ok(await post("/api/runs", { selection: "partner_upload" }), RunStarted, 202)
      const end = (await sse(await get(links.stream))).pop()!
      expect(end.data).toMatchObject({ status: "FAILURE" })
      const run = await ok(await get(`/api/runs/${runId}`), RunDetail)
      const step = run.steps.find((s) => s.asset === "partner_upload")!
      expect(step).toMatchObject({ state: "failed", rows: null })
      expect(step.message).toContain("HTTP 503")
      expect(step.message).toContain("request id: req-42")
      const failed = await ok(await get("/api/runs?status=FAILURE&asset=partner_upload"), RunPage)
      expect(failed.items.map((r) => r.id)).toContain(runId)
    } finally {
      uiKnobs.failUpload = false
    }
  })
})
