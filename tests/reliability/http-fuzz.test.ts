import { Agent, request } from "node:http"
import { Effect, Exit, Schema, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { listen } from "../../ui-api/server.js"
import { AssetDetail } from "../../ui-api/schemas.js"
import { apiFixture, type ApiFixture } from "../api-fixture.js"
import { seededRandom } from "../support/seededRandom.js"

/**
 * Hostile requests over every route of /openapi.json, generated from a seeded PRNG (the same ones every run):
 * bad keys, partitions, ids and query parameters, every method, bad and deep and oversized bodies, wrong content
 * types, foreign Host and Origin headers, path traversal, encoded NULs, unicode, very long URLs. No answer may
 * be a 5xx, no run may start, and the server answers normally afterwards.
 */

const SEED = 13
const REQUESTS = 1_200
const AT_ONCE = 4

interface Attempt {
  readonly method: string
  readonly path: string
  readonly headers: Record<string, string>
  /** an array is sent chunked */
  readonly body?: Buffer | ReadonlyArray<string>
}

type Outcome = { readonly status: number; readonly type: string; readonly body: string } | { readonly status: "no answer"; readonly error: string }

const agent = new Agent({ keepAlive: true, maxSockets: AT_ONCE })

const send = (port: number, a: Attempt) =>
  new Promise<Outcome>((resolve) => {
    const length = Buffer.isBuffer(a.body) ? { "Content-Length": String(a.body.length) } : {}
    const req = request({ host: "127.0.0.1", port, agent, method: a.method, path: a.path, headers: { ...length, ...a.headers } }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => resolve({ status: res.statusCode!, type: res.headers["content-type"] ?? "", body: Buffer.concat(chunks).toString() }))
      res.on("error", (e) => resolve({ status: "no answer", error: e.message }))
    })
    req.setTimeout(30_000, () => req.destroy(new Error("no answer in 30 s")))
    // an error after the answer (the server closed a connection whose body it did not read) changes nothing
    req.on("error", (e) => resolve({ status: "no answer", error: e.message }))
    for (const part of Buffer.isBuffer(a.body) ? [a.body] : (a.body ?? [])) req.write(part)
    req.end()
  })

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth)
const enc = encodeURIComponent

/** What goes in a path segment: each either already encoded (traversal, NULs, bad escapes) or to be encoded. */
const hostileSegments = [
  "nope",
  "",
  "..%2f..%2f..%2fetc%2fpasswd",
  "%2e%2e",
  "..%5c..%5cwindows",
  "%00",
  "a%00b",
  "%",
  "%zz",
  "%E0%A4%A",
  "%ff%fe",
  "%C0%AE%C0%AE",
  enc("streaming_films\u0000"),
  enc("ü😀\u202Egnp"),
  enc("'; DROP TABLE materializations; --"),
  enc("<script>alert(1)</script>"),
  "__proto__",
  "constructor",
  "toString",
  "x".repeat(4_000),
  enc("streaming_films/../raw_film"),
  "streaming_films%2F..%2Fraw_film",
  enc("*"),
  enc("+streaming_films+")
]
const hostilePartitions = ["2023-13", "2023-00", "0000-00", "9999-12", "2023-3", "23-03", "2023-03%00", enc("２０２３-０３"), "1e309", "-1", "2023-03-01", "x".repeat(2_000)]
const hostileNumbers = ["", "0", "-1", "2.5", "1e3", "1e309", "NaN", "Infinity", "0x10", "%201", "9007199254740993", "51", "1001", "abc", "%00", "1%00"]
const queryValues: Record<string, ReadonlyArray<string>> = {
  partition: [...hostilePartitions, "2023-03"],
  limit: hostileNumbers,
  depth: hostileNumbers,
  after: hostileNumbers,
  before: ["zzz", "", "%27", enc("' OR 1=1 --"), "m-nope", "x".repeat(3_000), "%00"],
  direction: ["sideways", "UPSTREAM", "", "upstream%00", "downstream"],
  status: ["DONE", "started", "", "SUCCESS%00", "STARTED"]
}

const json = (value: unknown) => JSON.stringify(value)
/** None of these may start a run: each is wrong in at least one field (a duplicate key: the last one counts). */
const bodies: ReadonlyArray<Buffer | ReadonlyArray<string>> = [
  ...[
    "",
    "{",
    "null",
    "[]",
    "{}",
    "0",
    '"raw_film"',
    "selection=raw_film",
    json({ selection: "nope" }),
    json({ selection: "" }),
    json({ selection: "+x+y" }),
    json({ selection: "..%2f..%2fetc" }),
    json({ selection: "streaming_films", partition: "2023-13" }),
    json({ selection: "streaming_films", partition: "9999-12" }),
    json({ selection: "streaming_films", from: "2023-03", to: "2023-01" }),
    json({ selection: "raw_film", partition: "2023-01" }),
    json({ selection: "raw_film", force: "yes" }),
    json({ selection: "raw_film", concurrency: 0 }),
    json({ selection: "raw_film", concurrency: 1.5 }),
    json({ selection: "raw_film", concurrency: Infinity }),
    json({ selection: 3 }),
    json({ selection: ["raw_film"] }),
    json({ selection: { $gt: "" } }),
    json({ selection: "\u0000" }),
    json({ selection: "ü😀\u202E".repeat(500) }),
    '{"selection":"\\ud800"}',
    '{"selection":"raw_film","selection":"nope"}',
    '{"__proto__":{"selection":"raw_film"}}',
    '{"constructor":{"prototype":{"selection":"raw_film"}}}',
    "\uFEFF" + json({ selection: "nope" }),
    "1".repeat(50_000),
    `[${"1,".repeat(20_000)}1]`,
    json({ selection: "[".repeat(20_000) }),
    nested(3_000),
    nested(100_000),
    `{"selection":${nested(40)}}`,
    json({ selection: "nope", pad: "x".repeat(70_000) })
  ].map((s) => Buffer.from(s)),
  Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0xc3]),
  ['{"selection":', '"nope"}'],
  ['{"selection":"nope"}', " ".repeat(40_000), " ".repeat(40_000)],
  [nested(20_000)]
]

const contentTypes = [
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "text/plain",
  "text/plain;charset=UTF-8",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/json-patch+json",
  "application/jsonx",
  ""
]
const methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "BREW"]

/** The attempts, in order, for a server on `port` with these known-good ids. */
const attempts = (doc: OpenApi, port: number, known: { readonly materialization: string; readonly run: string }): Array<Attempt> => {
  const rand = seededRandom(SEED)
  const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(rand() * xs.length)]!
  const chance = (p: number) => rand() < p
  const keys = ["streaming_films", "raw_film", "sakila_film", "category_report", "state_report"]
  const segment = (name: string): string => {
    if (chance(0.5)) return pick(hostileSegments)
    if (name === "partition") return pick(hostilePartitions)
    if (name === "id") return pick([known.materialization, known.run, "m-nope", "r-nope"])
    return pick(keys)
  }
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })))
  // the one write gets a quarter of the attempts: its body is where most of the hostile input goes
  const write = routes.find((r) => r.method === "POST" && r.path === "/api/runs")!
  const out: Array<Attempt> = []
  for (let n = 0; n < REQUESTS; n++) {
    const route = chance(0.25) ? write : routes[n % routes.length]!
    let path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => segment(name))
    const query = (route.op.parameters ?? [])
      .filter((p) => p.in === "query" && chance(0.6))
      .map((p) => `${p.name}=${pick(queryValues[p.name] ?? hostileNumbers)}`)
    if (chance(0.1)) query.push(pick(["__proto__=1", "constructor=x", "limit=1&limit=abc", "&&&", "=", "%=%", `q=${"y".repeat(8_000)}`]))
    if (chance(0.08)) path += pick(["/", "/..%2f..%2f", "/%2e%2e/%2e%2e/etc/passwd", "//", "/%00", "/./", "/..\\..\\x", `/${"z".repeat(20_000)}`])
    if (query.length > 0) path += `?${query.join("&")}`
    const method = chance(0.7) ? route.method : pick(methods)
    const headers: Record<string, string> = {}
    if (chance(0.08)) headers["Host"] = pick(["evil.example", `evil.example:${port}`, `localhost:${port}`, `[::1]:${port}`, "127.0.0.1:99999", "", "a b", "x".repeat(300), "localhost."])
    if (chance(0.1)) headers["Origin"] = pick(["http://evil.example", "null", `http://127.0.0.1:${port}`, "file://", "javascript:alert(1)", "%%%"])
    if (chance(0.08)) headers["Sec-Fetch-Site"] = pick(["cross-site", "same-site", "same-origin", "none", "bogus"])
    if (chance(0.1)) headers["Accept"] = pick(["application/vnd.apache.arrow.stream", "*/*", "text/html", "application/json;q=0"])
    if (chance(0.05)) headers["Authorization"] = pick(["Bearer ", "Bearer x", "Basic Og==", "x".repeat(1_000)])
    if (chance(0.05)) headers["Last-Event-ID"] = pick(["-1", "1e309", "abc", "99999999999999999999"])
    const withBody = method !== "GET" && method !== "HEAD" ? chance(0.9) : chance(0.05)
    if (withBody) headers["Content-Type"] = chance(0.6) ? "application/json" : pick(contentTypes)
    out.push({ method, path, headers, ...(withBody ? { body: pick(bodies) } : {}) })
  }
  return out
}

interface OpenApi {
  readonly paths: Record<string, Record<string, { readonly parameters?: ReadonlyArray<{ readonly name: string; readonly in: string }> }>>
}

let f: ApiFixture
let scope: Scope.CloseableScope
let port: number

beforeAll(async () => {
  f = await apiFixture()
  scope = Effect.runSync(Scope.make())
  port = Number(new URL((await Effect.runPromise(Scope.extend(listen(f.runtime, { host: "127.0.0.1", port: 0 }), scope))).url).port)
})
afterAll(async () => {
  agent.destroy()
  if (scope) await Effect.runPromise(Scope.close(scope, Exit.void))
  await f?.dispose()
})

const getJson = async <A>(path: string): Promise<A> => {
  const r = await send(port, { method: "GET", path, headers: {} })
  if (r.status !== 200) throw new Error(`GET ${path}: ${JSON.stringify(r)}`)
  return JSON.parse(r.body) as A
}

const runIds = async () => (await getJson<{ items: Array<{ id: string }> }>("/api/runs?limit=500")).items.map((r) => r.id)

describe("hostile HTTP", () => {
  it(`${REQUESTS} generated requests over every route: no 5xx, no run, the server answers normally afterwards`, async () => {
    const doc = await getJson<OpenApi>("/openapi.json")
    const routes = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0)
    expect(routes).toBeGreaterThanOrEqual(20)
    const [latest] = (await getJson<{ items: Array<{ id: string }> }>("/api/assets/raw_film/materializations?limit=1")).items
    const runsBefore = await runIds()
    const all = attempts(doc, port, { materialization: latest!.id, run: f.firstRun.runId })

    const outcomes: Array<Outcome> = new Array(all.length)
    let next = 0
    const worker = async () => {
      while (next < all.length) {
        const n = next++
        outcomes[n] = await send(port, all[n]!)
      }
    }
    await Promise.all(Array.from({ length: AT_ONCE }, worker))

    const byStatus: Record<string, number> = {}
    for (const o of outcomes) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1
    const show = (n: number) => `${all[n]!.method} ${all[n]!.path.slice(0, 200)} -> ${JSON.stringify(outcomes[n]).slice(0, 300)}`
    const indexes = outcomes.map((_, n) => n)
    console.log(`http-fuzz: ${all.length} requests over ${routes} routes (seed ${SEED}, ${AT_ONCE} at a time); by status ${JSON.stringify(byStatus)}`)

    const serverErrors = indexes.filter((n) => typeof outcomes[n]!.status === "number" && (outcomes[n]!.status as number) >= 500)
    expect(serverErrors.map(show)).toEqual([])
    const unanswered = indexes.filter((n) => outcomes[n]!.status === "no answer")
    expect(unanswered.map(show)).toEqual([])
    // every refusal is a JSON error with a tag and a message, but those Node sends before the app (400, 431, bodiless)
    const notJson = indexes.filter((n) => {
      const o = outcomes[n]!
      if (o.status === "no answer" || o.status < 400 || all[n]!.method === "HEAD") return false
      if ((o.status === 400 || o.status === 431) && o.body === "") return false
      if (!o.type.startsWith("application/json")) return true
      const body = JSON.parse(o.body) as { _tag?: unknown; message?: unknown }
      return typeof body._tag !== "string" || typeof body.message !== "string"
    })
    expect(notJson.map(show)).toEqual([])
    const refusals = ["400", "403", "404", "405", "413", "415"].reduce((sum, s) => sum + (byStatus[s] ?? 0), 0)
    expect(refusals).toBeGreaterThan(all.length / 2)

    expect(await runIds()).toEqual(runsBefore)
    const detail = Schema.decodeUnknownSync(AssetDetail)(await getJson("/api/assets/raw_film"))
    expect(detail).toMatchObject({ key: "raw_film", status: "FRESH" })
    expect(await getJson("/api/health")).toEqual({ ok: true, project: "sakila" })
    const refused = await send(port, { method: "POST", path: "/api/runs", headers: { "Content-Type": "application/json" }, body: Buffer.from(json({ selection: "nope" })) })
    expect(refused.status).toBe(400)
    expect(JSON.parse((refused as { body: string }).body)._tag).toBe("InvalidSelection")
  })
})
