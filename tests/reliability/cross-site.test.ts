import { request, type IncomingHttpHeaders } from "node:http"
import { ConfigProvider, Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ApiAuth } from "../../ui-api/auth.js"
import * as Auth from "../../ui-api/auth.js"
import { MAX_BODY_BYTES, MAX_BODY_DEPTH } from "../../ui-api/jsonBody.js"
import { listen } from "../../ui-api/server.js"
import type { ApiRuntime } from "../../ui-api/services.js"
import { apiFixture, type ApiFixture } from "../api-fixture.js"

/**
 * What a page of another site can make a browser send to a loopback server without a token: form and text
 * posts, posts with its own Origin, and (by DNS rebinding) any request under its own host name. None may start
 * a run or read anything. Over a real server, with raw HTTP so that Host, Origin and chunked bodies are sent as
 * given.
 */

let f: ApiFixture
let scope: Scope.CloseableScope
let port: number
/** a second server whose settings come from ASSETS_API_ALLOWED_HOSTS */
let configuredPort: number

interface Reply {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

const send = (
  to: number,
  options: { readonly method?: string; readonly path: string; readonly headers?: Record<string, string>; readonly body?: string | ReadonlyArray<string> }
) =>
  new Promise<Reply>((resolve, reject) => {
    const length = typeof options.body === "string" ? { "Content-Length": String(Buffer.byteLength(options.body)) } : {}
    const headers = { ...length, ...options.headers }
    const req = request({ host: "127.0.0.1", port: to, method: options.method ?? "GET", path: options.path, headers }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }))
    })
    req.on("error", reject)
    // a string goes with its Content-Length, an array chunked
    for (const part of typeof options.body === "string" ? [options.body] : (options.body ?? [])) req.write(part)
    req.end()
  })

const json = { "Content-Type": "application/json" }
const startRun = (headers: Record<string, string>, body: string | ReadonlyArray<string> = JSON.stringify({ selection: "raw_film" })) =>
  send(port, { method: "POST", path: "/api/runs", headers, body })

const fails = (reply: Reply, status: number, tag: string) => {
  expect(reply.status, reply.body).toBe(status)
  const body = JSON.parse(reply.body) as { _tag: string; message: string }
  expect(body._tag).toBe(tag)
  expect(body.message.length).toBeGreaterThan(20)
  return body
}

const runIds = async () => (JSON.parse((await send(port, { path: "/api/runs" })).body) as { items: Array<{ id: string }> }).items.map((r) => r.id)

beforeAll(async () => {
  f = await apiFixture()
  scope = Effect.runSync(Scope.make())
  const serve = async (runtime: ApiRuntime) =>
    Number(new URL((await Effect.runPromise(Scope.extend(listen(runtime, { host: "127.0.0.1", port: 0 }), scope))).url).port)
  port = await serve(f.runtime)
  const settings = await Effect.runPromise(
    Effect.provide(ApiAuth, Auth.layerConfig("127.0.0.1")).pipe(
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["ASSETS_API_ALLOWED_HOSTS", "assets.internal, Build-Box.lan"]])))
    )
  )
  configuredPort = await serve({ runPromiseExit: (effect) => f.runtime.runPromiseExit(Effect.provideService(effect, ApiAuth, settings)) })
})
afterAll(async () => {
  if (scope) await Effect.runPromise(Scope.close(scope, Exit.void))
  await f?.dispose()
})

describe("writes from another site start nothing", () => {
  it("refuses a foreign Origin, Sec-Fetch-Site cross-site, form and text bodies, a foreign Host; no run starts", async () => {
    const before = await runIds()
    expect(before).toEqual([f.firstRun.runId])

    expect(fails(await startRun({ ...json, Origin: "http://evil.example" }), 403, "CrossSiteRequest").message).toContain("evil.example")
    fails(await startRun({ ...json, Origin: "null" }), 403, "CrossSiteRequest")
    // the same host on another port, or over https, is another origin
    fails(await startRun({ ...json, Origin: `http://127.0.0.1:${port + 1}` }), 403, "CrossSiteRequest")
    fails(await startRun({ ...json, Origin: `https://127.0.0.1:${port}` }), 403, "CrossSiteRequest")
    fails(await startRun({ ...json, "Sec-Fetch-Site": "cross-site" }), 403, "CrossSiteRequest")
    fails(await startRun({ ...json, "Sec-Fetch-Site": "same-site" }), 403, "CrossSiteRequest")

    // what a browser sends across sites without a pre-flight
    expect(fails(await startRun({ "Content-Type": "text/plain" }), 415, "UnsupportedMediaType").message).toContain("application/json")
    fails(await startRun({ "Content-Type": "text/plain;charset=UTF-8", Origin: "http://evil.example" }), 403, "CrossSiteRequest")
    fails(await startRun({ "Content-Type": "application/x-www-form-urlencoded" }, "selection=raw_film"), 415, "UnsupportedMediaType")
    const multipart = '--x\r\nContent-Disposition: form-data; name="selection"\r\n\r\nraw_film\r\n--x--\r\n'
    fails(await startRun({ "Content-Type": "multipart/form-data; boundary=x" }, multipart), 415, "UnsupportedMediaType")
    fails(await startRun({}), 415, "UnsupportedMediaType")

    // a DNS-rebinding page posts under its own name, as same-origin
    fails(await startRun({ ...json, Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` }), 403, "HostNotAllowed")

    expect(await runIds()).toEqual(before)
  })

  it("a write from the server's own page (same origin, JSON) starts the run", async () => {
    const reply = await startRun({ ...json, Origin: `http://127.0.0.1:${port}`, "Sec-Fetch-Site": "same-origin" })
    expect(reply.status, reply.body).toBe(202)
    const { runId } = JSON.parse(reply.body) as { runId: string }
    const ended = await new Promise<{ status: string }>((resolve) => {
      const poll = async () => {
        const run = JSON.parse((await send(port, { path: `/api/runs/${runId}` })).body) as { status: string }
        if (run.status === "STARTED") setTimeout(poll, 100)
        else resolve(run)
      }
      void poll()
    })
    expect(ended.status).toBe("SUCCESS")
    // localhost names the same server; JSON with a charset is JSON
    const local = await startRun({ "Content-Type": "application/json; charset=utf-8", Host: `localhost:${port}`, Origin: `http://localhost:${port}` }, "{")
    fails(local, 400, "InvalidInput")
  })
})

describe("the Host header", () => {
  it("a foreign Host is refused on reads too (DNS rebinding), the page included", async () => {
    for (const path of ["/api/assets", "/api/health", "/", "/openapi.json", "/api/nothing"]) {
      fails(await send(port, { path, headers: { Host: `evil.example:${port}` } }), 403, "HostNotAllowed")
    }
    fails(await send(port, { path: "/api/assets", headers: { Host: "evil.example" } }), 403, "HostNotAllowed")
    fails(await send(port, { path: "/api/assets", headers: { Host: "localhost.evil.example" } }), 403, "HostNotAllowed")
  })

  it("loopback names and addresses pass; so do the names in ASSETS_API_ALLOWED_HOSTS, on that server only", async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, "localhost", "192.168.1.20:8080"]) {
      expect((await send(port, { path: "/api/health", headers: { Host: host } })).status, host).toBe(200)
    }
    for (const host of [`assets.internal:${configuredPort}`, "build-box.lan", `BUILD-BOX.LAN:${configuredPort}`]) {
      const reply = await send(configuredPort, { path: "/api/graph", headers: { Host: host } })
      expect(reply.status, host).toBe(200)
    }
    fails(await send(configuredPort, { path: "/api/graph", headers: { Host: "evil.example" } }), 403, "HostNotAllowed")
    fails(await send(port, { path: "/api/graph", headers: { Host: "assets.internal" } }), 403, "HostNotAllowed")
  })

  it("ASSETS_API_ALLOWED_HOSTS takes host names only, and says so", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.provide(ApiAuth, Auth.layerConfig("127.0.0.1")).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["ASSETS_API_ALLOWED_HOSTS", "http://assets.internal/"]])))
      )
    )
    expect(Exit.isFailure(exit)).toBe(true)
    expect(String(exit)).toContain("comma list of host names")
  })
})

describe("methods, sizes, nesting", () => {
  it("a known path with another method is a 405 naming the allowed ones", async () => {
    const cases: Array<[string, string, string]> = [
      ["PUT", "/api/runs", "GET, HEAD, POST"],
      ["DELETE", "/api/assets/streaming_films", "GET, HEAD"],
      ["POST", "/api/health", "GET, HEAD"],
      ["PATCH", "/api/assets/nope/partitions/2023-01", "GET, HEAD"],
      ["OPTIONS", "/openapi.json", "GET, HEAD"]
    ]
    for (const [method, path, allow] of cases) {
      const reply = await send(port, { method, path, headers: json, body: "{}" })
      expect(fails(reply, 405, "MethodNotAllowed").message).toContain(method)
      expect(reply.headers["allow"], `${method} ${path}`).toBe(allow)
    }
    fails(await send(port, { method: "DELETE", path: "/api/nothing" }), 404, "RouteNotFound")
    // an API 404 of a known route stays a 404
    fails(await send(port, { path: "/api/assets/nope" }), 404, "UnknownAsset")
  })

  it("nesting beyond the bound is a 400, 3,000 levels deep or 100,000", async () => {
    const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth)
    expect(fails(await startRun(json, nested(3_000)), 400, "InvalidInput").message).toContain(`deeper than ${MAX_BODY_DEPTH}`)
    fails(await startRun(json, `{"selection":"raw_film","x":${nested(MAX_BODY_DEPTH)}}`), 400, "InvalidInput")
    // within the bound, the route's Schema answers
    const within = fails(await startRun(json, `{"selection":${nested(MAX_BODY_DEPTH - 1)}}`), 400, "InvalidInput")
    expect(within.message).toContain("body.selection")
    // brackets inside strings are text
    fails(await startRun(json, JSON.stringify({ selection: "[".repeat(10_000) })), 400, "InvalidSelection")
    // 100,000 levels are over the size bound too: refused before anything parses them
    fails(await startRun(json, nested(100_000)), 413, "PayloadTooLarge")
    fails(await startRun(json, [nested(10_000), nested(10_000)]), 400, "InvalidInput")
  })

  it("a body over the size bound is a 413, with Content-Length or chunked", async () => {
    const big = JSON.stringify({ selection: "nope", pad: "x".repeat(MAX_BODY_BYTES) })
    expect(fails(await startRun(json, big), 413, "PayloadTooLarge").message).toContain("KiB")
    const part = " ".repeat(16 * 1024)
    fails(await startRun(json, ['{"selection":"nope"}', ...Array.from({ length: 8 }, () => part)]), 413, "PayloadTooLarge")
    const under = JSON.stringify({ selection: "nope", pad: "x".repeat(MAX_BODY_BYTES - 100) })
    fails(await startRun(json, under), 400, "InvalidSelection")
    // the server goes on answering on the same port
    expect((await send(port, { path: "/api/health" })).status).toBe(200)
    expect(await runIds()).toHaveLength(2)
  })
})
