import { tableFromIPC } from "apache-arrow"
import { Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeApp } from "../ui-api/app.js"
import { openApiPath } from "../ui-api/openapi.js"
import {
  AssetDetail,
  AssetList,
  Graph,
  Lineage,
  MaterializationDetail,
  MaterializationPage,
  PartitionList,
  PartitionStatusView,
  Preview,
  RunEvents,
  RunPage,
  RunStarted
} from "../ui-api/schemas.js"
import { apiFixture, type ApiFixture } from "./api-fixture.js"

let f: ApiFixture

beforeAll(async () => {
  f = await apiFixture()
})
afterAll(async () => {
  await f?.dispose()
})

const get = (path: string, headers: Record<string, string> = {}) => f.app.request(path, { headers })
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  f.app.request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body)
  })

/** the body, decoded with the response Schema the OpenAPI document names */
const ok = async <A, I>(res: Response, schema: Schema.Schema<A, I, never>, status = 200): Promise<A> => {
  const body = await res.json()
  expect(res.status, JSON.stringify(body)).toBe(status)
  return Schema.decodeUnknownSync(schema)(body)
}

const fails = async (res: Response, status: number, tag: string) => {
  const body = (await res.json()) as { _tag: string; message: string; suggestions?: Array<string> }
  expect(res.status, JSON.stringify(body)).toBe(status)
  expect(body._tag).toBe(tag)
  expect(body.message.length).toBeGreaterThan(10)
  return body
}

/** reads a Server-Sent Events body to its end */
const sse = async (res: Response) => {
  const text = await res.text()
  return text
    .split("\n\n")
    .filter((b) => b.trim() !== "")
    .map((block) => {
      const field = (name: string) => block.split("\n").find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim()
      return { event: field("event"), id: field("id"), data: JSON.parse(field("data") ?? "null") }
    })
}

describe("reads", () => {
  it("GET /api/health", async () => {
    expect(await (await get("/api/health")).json()).toEqual({ ok: true, project: "sakila" })
  })

  it("GET /api/assets lists every asset in dependency order with its status", async () => {
    const { assets } = await ok(await get("/api/assets"), AssetList)
    expect(assets.map((a) => a.key)).toEqual(f.project.graph.order)
    const byKey = new Map(assets.map((a) => [a.key, a]))
    expect(byKey.get("streaming_films")).toMatchObject({ status: "FRESH", partitioned: true, counts: { FRESH: 4, STALE: 0, MISSING: 0 } })
    expect(byKey.get("category_report")!.status).toBe("FRESH")
    expect(byKey.get("state_report")).toMatchObject({ status: "MISSING", counts: { MISSING: 1 } })
    expect(byKey.get("sakila_film")!.kind).toBe("source")
  })

  it("GET /api/assets/:key: definition, code version, status with causes, latest materialization, partitions", async () => {
    const a = await ok(await get("/api/assets/streaming_films"), AssetDetail)
    const def = f.project.graph.get("streaming_films" as never)
    expect(a.codeVersion).toBe(def._tag === "Asset" ? def.codeVersion : "")
    expect(a.partitions).toMatchObject({ count: 4, first: "2023-01", last: "2023-04" })
    expect(a.latestMaterialization?.asset).toBe("streaming_films")
    expect(a.inputs.map((i) => i.asset).sort()).toEqual(["film_category", "streaming_partitions"])
    expect(a.inputs.every((i) => i.mapping.length > 0)).toBe(true)
    expect(a.columns.find((c) => c.name === "film_id")).toEqual({ name: "film_id", type: "INTEGER", nullable: false })
    const missing = await ok(await get("/api/assets/state_report"), AssetDetail)
    expect(missing.status).toBe("MISSING")
    expect(missing.notFresh[0]!.causes[0]).toMatchObject({ _tag: "Missing", message: "never materialized" })
    expect(missing.latestMaterialization).toBeNull()
  })

  it("an unknown asset is a 404 naming the closest keys", async () => {
    const body = await fails(await get("/api/assets/streaming_film"), 404, "UnknownAsset")
    expect(body.suggestions).toContain("streaming_films")
    for (const path of ["/api/assets/nope/partitions", "/api/assets/clean_flim/materializations", "/api/assets/raw_flim/lineage", "/api/assets/x/preview"]) {
      await fails(await get(path), 404, "UnknownAsset")
    }
  })

  it("GET /api/assets/:key/partitions and /partitions/:partition", async () => {
    const list = await ok(await get("/api/assets/streaming_films/partitions"), PartitionList)
    expect(list.partitions.map((p) => p.partition)).toEqual(["2023-01", "2023-02", "2023-03", "2023-04"])
    expect(list.partitions.every((p) => p.status === "FRESH" && p.materialization !== null)).toBe(true)
    const one = await ok(await get("/api/assets/streaming_films/partitions/2023-02"), PartitionStatusView)
    expect(one).toMatchObject({ partition: "2023-02", status: "FRESH", causes: [] })
    const never = await ok(await get("/api/assets/streaming_films/partitions/2022-06"), PartitionStatusView)
    expect(never.status).toBe("MISSING")
  })

  it("a malformed or out-of-range partition is a 400 that says why", async () => {
    expect((await fails(await get("/api/assets/streaming_films/partitions/2023-13"), 400, "InvalidPartition")).message).toContain("YYYY-MM")
    expect((await fails(await get("/api/assets/streaming_films/partitions/1999-01"), 400, "InvalidPartition")).message).toContain("out of range")
    await fails(await get("/api/assets/raw_film/partitions/2023-01"), 400, "InvalidPartition")
    await fails(await get("/api/assets/streaming_films/materializations?partition=march"), 400, "InvalidPartition")
    await fails(await get("/api/assets/streaming_films/lineage"), 400, "InvalidPartition")
    await fails(await get("/api/assets/streaming_films/preview?partition=2023-3"), 400, "InvalidPartition")
  })

  it("GET /api/assets/:key/materializations pages with a cursor, newest first, optionally by partition", async () => {
    const ids: Array<string> = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page: typeof MaterializationPage.Type = await ok(
        await get(`/api/assets/streaming_films/materializations?limit=3${cursor ? `&before=${cursor}` : ""}`),
        MaterializationPage
      )
      ids.push(...page.items.map((m) => m.id))
      cursor = page.nextCursor
      pages++
    } while (cursor !== null)
    expect(ids.length).toBeGreaterThanOrEqual(4)
    expect(pages).toBe(Math.ceil(ids.length / 3))
    expect([...ids].sort().reverse()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
    const march = await ok(await get("/api/assets/streaming_films/materializations?partition=2023-03"), MaterializationPage)
    expect(march.items.length).toBeGreaterThan(0)
    expect(march.items.every((m) => m.partition === "2023-03")).toBe(true)
    const raw = await ok(await get("/api/assets/raw_film/materializations"), MaterializationPage)
    expect(raw.items[0]!.metadata["path"]).toBe("landing/raw_film/data.csv")
  })

  it("bad query parameters are 400s from the route's Schema", async () => {
    for (const q of ["limit=0", "limit=abc", "limit=100000", "limit=2.5"]) {
      const body = await fails(await get(`/api/assets/streaming_films/materializations?${q}`), 400, "InvalidInput")
      expect(body.message).toContain("query.limit")
    }
    await fails(await get("/api/assets/streaming_films/lineage?partition=2023-03&direction=sideways"), 400, "InvalidInput")
    await fails(await get("/api/assets/streaming_films/lineage?partition=2023-03&depth=0"), 400, "InvalidInput")
    await fails(await get("/api/runs?status=DONE"), 400, "InvalidInput")
  })

  it("GET /api/assets/:key/lineage walks upstream from a streaming_films month to the raw tables and their sources", async () => {
    const l = await ok(await get("/api/assets/streaming_films/lineage?partition=2023-03"), Lineage)
    const byId = new Map(l.nodes.map((n) => [n.id, n]))
    const root = byId.get(l.root)!
    expect(root).toMatchObject({ asset: "streaming_films", partition: "2023-03", depth: 0, kind: "materialization" })
    const assets = new Set(l.nodes.map((n) => n.asset))
    for (const a of ["streaming_partitions", "film_category", "clean_film", "raw_film", "sakila_film", "streaming_landing"]) expect(assets).toContain(a)
    // every edge goes from a reader to what it read, one level deeper
    for (const e of l.edges) expect(byId.get(e.to)!.depth).toBe(byId.get(e.from)!.depth + 1)
    const landing = l.nodes.filter((n) => n.asset === "streaming_landing").map((n) => n.partition).sort()
    expect(landing).toEqual(["2023-03", "2023-04"])
    expect(l.nodes.find((n) => n.asset === "raw_film")).toMatchObject({ kind: "materialization", partition: null, rowCount: 1000 })
    expect(l.nodes.find((n) => n.asset === "sakila_film")!.kind).toBe("observation")
    const shallow = await ok(await get("/api/assets/streaming_films/lineage?partition=2023-03&depth=1"), Lineage)
    expect(shallow.nodes.map((n) => n.asset).sort()).toEqual(["film_category", "streaming_films", "streaming_partitions"])
  })

  it("lineage downstream, and of a materialization by id", async () => {
    const down = await ok(await get("/api/assets/raw_film/lineage?direction=downstream"), Lineage)
    const assets = new Set(down.nodes.map((n) => n.asset))
    for (const a of ["clean_film", "film_category", "streaming_films", "category_report"]) expect(assets).toContain(a)
    expect(down.nodes.filter((n) => n.asset === "streaming_films").length).toBe(4)
    const rawFilm = down.nodes.find((n) => n.depth === 0)!
    const up = await ok(await get(`/api/materializations/${down.nodes.find((n) => n.asset === "clean_film")!.id}/lineage?depth=1`), Lineage)
    expect(up.nodes.map((n) => n.id)).toContain(rawFilm.id)
    await fails(await get("/api/materializations/m-nope/lineage"), 404, "UnknownMaterialization")
    await fails(await get("/api/assets/state_report/lineage"), 404, "NotMaterialized")
  })

  it("GET /api/materializations/:id", async () => {
    const [latest] = (await ok(await get("/api/assets/clean_film/materializations?limit=1"), MaterializationPage)).items
    const m = await ok(await get(`/api/materializations/${latest!.id}`), MaterializationDetail)
    expect(m).toMatchObject({ id: latest!.id, asset: "clean_film", current: true, currentId: latest!.id })
    expect(m.inputs[0]).toMatchObject({ asset: "raw_film", partition: null })
    await fails(await get("/api/materializations/nope"), 404, "UnknownMaterialization")
  })

  it("GET /api/graph: nodes with a level for drawing, edges with their mappings", async () => {
    const g = await ok(await get("/api/graph"), Graph)
    expect(g.nodes.length).toBe(f.project.graph.order.length)
    const level = new Map(g.nodes.map((n) => [n.key, n.level]))
    for (const e of g.edges) expect(level.get(e.from)!).toBeLessThan(level.get(e.to)!)
    const window = g.edges.find((e) => e.from === "streaming_checked" && e.to === "streaming_partitions")!
    expect(window.mapping.length).toBeGreaterThan(5)
    expect(g.edges.find((e) => e.from === "streaming_counts" && e.to === "category_report")!.mapping).not.toBe(window.mapping)
  })

  it("GET /api/runs, /api/runs/:id, /api/runs/:id/events", async () => {
    const page = await ok(await get("/api/runs"), RunPage)
    expect(page.items.map((r) => r.id)).toContain(f.firstRun.runId)
    const run = await (await get(`/api/runs/${f.firstRun.runId}`)).json()
    expect(run).toMatchObject({ id: f.firstRun.runId, status: "SUCCESS", kind: "materialize" })
    const events = await ok(await get(`/api/runs/${f.firstRun.runId}/events`), RunEvents)
    expect(events.ended).toBe(true)
    expect(events.items.filter((e) => e.type === "STEP_SUCCESS").length).toBe(f.firstRun.outcomes.filter((o) => o.state === "succeeded").length)
    const after = events.items[3]!.seq
    const rest = await ok(await get(`/api/runs/${f.firstRun.runId}/events?after=${after}`), RunEvents)
    expect(rest.items[0]!.seq).toBeGreaterThan(after)
    expect(rest.items.length).toBe(events.items.length - 4)
    await fails(await get("/api/runs/r-nope"), 404, "UnknownRun")
    await fails(await get("/api/runs/r-nope/events"), 404, "UnknownRun")
    await fails(await get("/api/runs/r-nope/events/stream"), 404, "UnknownRun")
  })

  it("GET /api/assets/:key/preview: the first rows typed by the asset's Schema, as JSON or Arrow", async () => {
    const p = await ok(await get("/api/assets/streaming_films/preview?partition=2023-03&limit=5"), Preview)
    expect(p).toMatchObject({ asset: "streaming_films", partition: "2023-03", current: true, note: null, limit: 5 })
    expect(p.rows.length).toBe(5)
    const columns = p.columns.map((c) => c.name)
    expect(Object.keys(p.rows[0]!)).toEqual(columns)
    expect(typeof p.rows[0]!["film_id"]).toBe("number")
    expect(String(p.rows[0]!["event_time"])).toMatch(/^2023-03-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    const res = await get("/api/assets/streaming_films/preview?partition=2023-03&limit=5", { Accept: "application/vnd.apache.arrow.stream" })
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toBe("application/vnd.apache.arrow.stream")
    const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()))
    expect(table.numRows).toBe(5)
    expect(table.schema.fields.map((x) => x.name)).toEqual(columns)
    const type = (name: string) => String(table.schema.fields.find((x) => x.name === name)!.type)
    expect(type("film_id")).toBe("Int32")
    expect(type("event_time")).toBe("Timestamp<MILLISECOND, UTC>")
    expect(type("event_type")).toBe("Dictionary<Int32, Utf8>")
    expect(table.schema.fields.find((x) => x.name === "film_id")!.nullable).toBe(false)
    expect(table.get(0)!.toJSON()["film_id"]).toBe(p.rows[0]!["film_id"])
    expect(table.get(0)!.toJSON()["event_time"]).toBe(Date.parse(String(p.rows[0]!["event_time"])))
    const film = await ok(await get("/api/assets/clean_film/preview?limit=2"), Preview)
    expect(Array.isArray(film.rows[0]!["special_features"])).toBe(true)
    const report = await get("/api/assets/category_report/preview", { Accept: "application/vnd.apache.arrow.stream" })
    expect(String(tableFromIPC(new Uint8Array(await report.arrayBuffer())).schema.fields.find((x) => x.name === "streams")!.type)).toBe("Int64")
  })

  it("preview errors: a source, a never-materialized asset, an unknown materialization", async () => {
    await fails(await get("/api/assets/sakila_film/preview"), 404, "NotMaterialized")
    await fails(await get("/api/assets/state_report/preview"), 404, "NotMaterialized")
    await fails(await get("/api/materializations/nope/preview"), 404, "UnknownMaterialization")
    await fails(await get("/api/assets/raw_film/preview?limit=-1"), 400, "InvalidInput")
  })

  it("an unknown route is a JSON 404", async () => {
    await fails(await get("/api/nothing"), 404, "RouteNotFound")
  })
})

describe("writes", () => {
  it("POST /api/runs answers 202 at once; the run's events stream live until it ends; a superseded preview says so", async () => {
    const [before] = (await ok(await get("/api/assets/streaming_films/materializations?partition=2023-03&limit=1"), MaterializationPage)).items
    const started = Date.now()
    const res = await post("/api/runs", { selection: "streaming_films", partition: "2023-03", force: true })
    const { runId, links } = await ok(res, RunStarted, 202)
    expect(Date.now() - started).toBeLessThan(1000)
    const events = await sse(await get(links.stream))
    const end = events[events.length - 1]!
    expect(end.event).toBe("end")
    expect(end.data).toMatchObject({ id: runId, status: "SUCCESS" })
    const runEvents = events.filter((e) => e.event === "run-event").map((e) => e.data as { type: string; asset: string; partition: string; seq: number })
    expect(runEvents.map((e) => e.type)).toContain("PLANNED")
    expect(runEvents.find((e) => e.type === "STEP_SUCCESS")).toMatchObject({ asset: "streaming_films", partition: "2023-03" })
    expect(runEvents.map((e) => e.seq)).toEqual([...runEvents.map((e) => e.seq)].sort((a, b) => a - b))
    // resuming with Last-Event-ID sends only what came after
    const resumed = await sse(await get(links.stream, { "Last-Event-ID": String(runEvents[0]!.seq) }))
    expect(resumed.filter((e) => e.event === "run-event").length).toBe(runEvents.length - 1)

    const [after] = (await ok(await get("/api/assets/streaming_films/materializations?partition=2023-03&limit=1"), MaterializationPage)).items
    expect(after!.id).not.toBe(before!.id)
    expect(after!.runId).toBe(runId)
    const old = await ok(await get(`/api/materializations/${before!.id}`), MaterializationDetail)
    expect(old).toMatchObject({ current: false, currentId: after!.id })
    const stale = await ok(await get(`/api/materializations/${before!.id}/preview?limit=3`), Preview)
    expect(stale.current).toBe(false)
    expect(stale.note).toContain("superseded")
    expect(stale.note).toContain(after!.id)
    const arrow = await get(`/api/materializations/${before!.id}/preview?limit=3`, { Accept: "application/vnd.apache.arrow.stream" })
    expect(arrow.headers.get("x-assets-current")).toBe("false")
    expect(arrow.headers.get("x-assets-note")).toContain("superseded")
    const fresh = await ok(await get(`/api/materializations/${after!.id}/preview?limit=3`), Preview)
    expect(fresh).toMatchObject({ current: true, note: null })
  })

  it("bad runs are 400s: selection, partition, body", async () => {
    const sel = await fails(await post("/api/runs", { selection: "streaming_film" }), 400, "InvalidSelection")
    expect(sel.suggestions).toContain("streaming_films")
    await fails(await post("/api/runs", { selection: "+x+y" }), 400, "InvalidSelection")
    await fails(await post("/api/runs", { selection: "streaming_films", partition: "2023-13" }), 400, "InvalidPartition")
    await fails(await post("/api/runs", { selection: "raw_film", partition: "2023-01" }), 400, "InvalidPartition")
    await fails(await post("/api/runs", { selection: "streaming_films", from: "2023-03", to: "2023-01" }), 400, "InvalidPartition")
    await fails(await post("/api/runs", { force: true }), 400, "InvalidInput")
    await fails(await post("/api/runs", { selection: 3 }), 400, "InvalidInput")
    await fails(await post("/api/runs", "not json"), 400, "InvalidInput")
  })

  it("a token guards writes (and, beyond loopback, reads); beyond loopback without one, writes are refused", async () => {
    const tokenOnLoopback = makeApp(f.withAuth({ host: "127.0.0.1", token: "s3cret" }))
    const run = (app: typeof tokenOnLoopback, headers: Record<string, string> = {}) =>
      app.request("/api/runs", { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify({ selection: "nope" }) })
    await fails(await run(tokenOnLoopback), 401, "Unauthorized")
    await fails(await run(tokenOnLoopback, { Authorization: "Bearer wrong" }), 401, "Unauthorized")
    // the token passes: what fails then is the selection
    await fails(await run(tokenOnLoopback, { Authorization: "Bearer s3cret" }), 400, "InvalidSelection")
    expect((await tokenOnLoopback.request("/api/assets")).status).toBe(200)

    const exposed = makeApp(f.withAuth({ host: "0.0.0.0", token: "s3cret" }))
    await fails(await exposed.request("/api/assets"), 401, "Unauthorized")
    expect((await exposed.request("/api/graph", { headers: { Authorization: "Bearer s3cret" } })).status).toBe(200)
    expect((await exposed.request("/")).status).toBe(200)
    expect((await exposed.request("/openapi.json")).status).toBe(200)

    const open = makeApp(f.withAuth({ host: "0.0.0.0" }))
    await fails(await run(open), 403, "WritesDisabled")
    expect((await open.request("/api/graph")).status).toBe(200)
  })
})

describe("contract", () => {
  it("every route registered on the app is in /openapi.json, with the Schemas it validates with", async () => {
    const doc = (await (await get("/openapi.json")).json()) as {
      openapi: string
      paths: Record<string, Record<string, { parameters: Array<{ name: string; in: string }>; responses: Record<string, unknown>; requestBody?: unknown }>>
      components: { schemas: Record<string, unknown> }
    }
    expect(doc.openapi).toBe("3.1.0")
    const routes = f.app.routes.filter((r) => r.method !== "ALL")
    expect(routes.length).toBeGreaterThanOrEqual(20)
    for (const r of routes) {
      const path = openApiPath("", r.path)
      expect(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined()
    }
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
    expect(documented.length).toBe(routes.length)
    const lineage = doc.paths["/api/assets/{key}/lineage"]!["get"]!
    expect(lineage.parameters.map((p) => `${p.in}:${p.name}`).sort()).toEqual(["path:key", "query:depth", "query:direction", "query:partition"])
    expect(Object.keys(lineage.responses).sort()).toEqual(["200", "400", "404", "500"])
    expect(doc.paths["/api/runs"]!["post"]!.requestBody).toBeDefined()
    // every reference resolves
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!)
    expect(refs.length).toBeGreaterThan(0)
    for (const ref of refs) expect(doc.components.schemas[ref], ref).toBeDefined()
  })

  it("no user input makes a 500", async () => {
    const paths = [
      "/api/assets/%00",
      "/api/assets/..%2F..%2Fetc",
      "/api/assets/streaming_films/partitions/%27%3B%20DROP",
      "/api/assets/streaming_films/materializations?before=%27&limit=1",
      "/api/assets/streaming_films/lineage?partition=9999-12",
      "/api/assets/streaming_films/preview?partition=2023-03&limit=1e3",
      "/api/materializations/%27%20OR%201%3D1/lineage?depth=50",
      "/api/runs?before=zzz&limit=1",
      "/api/runs/%2e%2e/events?after=-1",
      "/api/assets?x=y"
    ]
    for (const path of paths) {
      const res = await get(path)
      expect(res.status, path).toBeLessThan(500)
      expect(res.headers.get("content-type"), path).toContain("application/json")
    }
  })
})
