import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { it as effectIt } from "@effect/vitest"
import { Effect, Layer, ManagedRuntime, Stream, TestClock } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { loadState } from "../runtime/execute/materialize.js"
import { Lake } from "../runtime/lake/Lake.js"
import { StreamBuffer } from "../runtime/ingest/StreamBuffer.js"
import * as Buffers from "../runtime/ingest/StreamBuffer.js"
import { buildGraph } from "../runtime/graph/AssetGraph.js"
import { defineProject } from "../runtime/project/Project.js"
import * as LocalLake from "../resources/lake-fs/LocalLake.js"
import { makeApp } from "../ui-api/app.js"
import * as Auth from "../ui-api/auth.js"
import { apiLayer } from "../ui-api/layer.js"
import { events, eventsIngest, ingestResources } from "./support/ingestProject.js"
import { tempDir } from "./support/testProject.js"

/** Every file under the lake folder, with its lines. */
const landed = (dir: string): Record<string, Array<string>> => {
  const lake = join(dir, "lake")
  const out: Record<string, Array<string>> = {}
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith(".")) continue
      const full = join(d, e.name)
      if (e.isDirectory()) walk(full)
      else out[relative(lake, full)] = readFileSync(full, "utf8").split("\n").filter((l) => l !== "")
    }
  }
  try {
    walk(lake)
  } catch {
    // nothing landed yet
  }
  return out
}

const server = (settings: Partial<Buffers.BufferSettings>, auth: { host: string; token?: string } = { host: "127.0.0.1" }) => {
  const dir = tempDir("assets-ingest-")
  const project = defineProject({ name: "ingest", assets: [events], layer: ingestResources(dir) })
  const runtime = ManagedRuntime.make(apiLayer(project, Auth.layer(auth), { spool: join(dir, "spool"), ...settings }))
  const post = (body: unknown, source = "events", headers: Record<string, string> = {}) =>
    makeApp(runtime).request(`/api/streams/${source}/records`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) })
  return { dir, runtime, post, flush: () => runtime.runPromise(Effect.flatMap(StreamBuffer, (b) => b.flush())) }
}

const disposers: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const d of disposers) await d()
})

const waitFor = async <A>(check: () => A | undefined, ms = 10_000): Promise<A> => {
  const until = Date.now() + ms
  for (;;) {
    const v = check()
    if (v !== undefined) return v
    if (Date.now() > until) throw new Error("timed out waiting")
    await new Promise((r) => setTimeout(r, 50))
  }
}

const month = () => new Date().toISOString().slice(0, 7)
const prefix = (m: string) => `landing/events/${m.slice(0, 4)}/${m.slice(5, 7)}/`

describe("POST /api/streams/{source}/records", () => {
  it("answers each record of a batch, and lands the good ones under the arrival month and the malformed ones under the error prefix", async () => {
    const s = server({ flushBytes: 1e9, flushInterval: 3_600_000 as never })
    disposers.push(() => s.runtime.dispose())
    const res = await s.post({
      records: [
        { data: '{"id":1,"kind":"a","extra":"kept"}' },
        { data: "{not json" },
        { data: { id: 2, kind: "b" } },
        { data: { id: 3, kind: "c" } },
        { nodata: true },
        { data: '{"id":4,\n"kind":"a"}' }
      ]
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { accepted: number; rejected: number; records: Array<{ recordId?: string; rejected?: string }> }
    expect(body.accepted).toBe(2)
    expect(body.rejected).toBe(4)
    expect(body.records.map((r) => (r.recordId !== undefined ? "ok" : r.rejected))).toEqual([
      "ok",
      "invalid JSON",
      "ok",
      expect.stringMatching(/^kind: /),
      expect.stringMatching(/^not a record/),
      "a record is one line: its data holds a line break"
    ])
    // durable in the spool, not landed before a flush
    expect(Object.keys(landed(s.dir))).toEqual([])
    const flushed = await s.flush()
    expect(flushed.lines).toBe(2)
    expect(flushed.errors).toBe(4)
    const files = landed(s.dir)
    const good = Object.entries(files).filter(([p]) => p.startsWith(prefix(month())))
    expect(good).toHaveLength(1)
    expect(good[0]![0]).toMatch(/\/events-stream-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f]{16}\.jsonl$/)
    // text lands as it was sent; a JSON value as its JSON
    expect(good[0]![1]).toEqual(['{"id":1,"kind":"a","extra":"kept"}', '{"id":2,"kind":"b"}'])
    const bad = Object.entries(files).filter(([p]) => p.startsWith(`ingest-errors/events/${month().replace("-", "/")}/`))
    expect(bad).toHaveLength(1)
    const errors = bad[0]![1].map((l) => JSON.parse(l) as { errorMessage: string; rawData: string; errorCode: string })
    expect(errors.map((e) => e.rawData)).toEqual(["{not json", '{"id":3,"kind":"c"}', '{"nodata":true}', '{"id":4,\n"kind":"a"}'])
    expect(errors.every((e) => e.errorCode === "InvalidRecord" && e.errorMessage.length > 0)).toBe(true)
  })

  it("makes the source's observation change: what landed is new data for it", async () => {
    const s = server({ flushBytes: 1e9, flushInterval: 3_600_000 as never })
    disposers.push(() => s.runtime.dispose())
    const graph = buildGraph([events])
    const versions = () => s.runtime.runPromise(Effect.map(loadState(graph, [events.key]), (st) => st.observation(events.key, month() as never)?.dataVersion))
    expect(await versions()).toBeUndefined()
    expect((await s.post({ records: [{ data: { id: 1, kind: "a" } }] })).status).toBe(200)
    await s.flush()
    const first = await versions()
    expect(first).toBeDefined()
    expect((await s.post({ records: [{ data: { id: 2, kind: "a" } }] })).status).toBe(200)
    await s.flush()
    expect(await versions()).not.toBe(first)
  })

  it("flushes a buffer when it reaches its size, and when its oldest record reaches the interval", async () => {
    const bySize = server({ flushBytes: 100, flushInterval: 3_600_000 as never })
    disposers.push(() => bySize.runtime.dispose())
    const records = Array.from({ length: 10 }, (_, i) => ({ data: { id: i, kind: "a" } }))
    expect((await bySize.post({ records })).status).toBe(200)
    const sized = await waitFor(() => {
      const f = Object.entries(landed(bySize.dir))
      return f.length > 0 ? f : undefined
    })
    expect(sized).toHaveLength(1)
    expect(sized[0]![1]).toHaveLength(10)

    const byTime = server({ flushBytes: 1e9, flushInterval: 300 as never })
    disposers.push(() => byTime.runtime.dispose())
    expect((await byTime.post({ records: records.slice(0, 3) })).status).toBe(200)
    const timed = await waitFor(() => {
      const f = Object.entries(landed(byTime.dir))
      return f.length > 0 ? f : undefined
    })
    expect(timed[0]![1]).toHaveLength(3)
  })

  it("refuses what is not a batch it takes: too many records, an undeclared source, a write without the token", async () => {
    const s = server({ flushBytes: 1e9 }, { host: "127.0.0.1", token: "secret" })
    disposers.push(() => s.runtime.dispose())
    const auth = { Authorization: "Bearer secret" }
    expect((await s.post({ records: Array.from({ length: 501 }, () => ({ data: "x" })) }, "events", auth)).status).toBe(400)
    expect((await s.post({ records: [] }, "events", auth)).status).toBe(400)
    const unknown = await s.post({ records: [{ data: "x" }] }, "orders", auth)
    expect(unknown.status).toBe(404)
    expect(((await unknown.json()) as { message: string }).message).toContain("the sources that do are events")
    expect((await s.post({ records: [{ data: { id: 1, kind: "a" } }] })).status).toBe(401)
    expect((await s.post({ records: [{ data: { id: 1, kind: "a" } }] }, "events", auth)).status).toBe(200)
  })
})

describe("the stream buffer's clock", () => {
  effectIt.scoped("a flush of records that arrived on both sides of a month's end (UTC) lands one object under each arrival month", () =>
    Effect.gen(function* () {
      const dir = tempDir("assets-ingest-")
      const buffers = Buffers.layer({ spool: join(dir, "spool"), flushBytes: 1e9 }).pipe(
        Layer.provide(Layer.merge(eventsIngest({ flushInterval: "1 hour" }), LocalLake.layer(join(dir, "lake"))))
      )
      const buffer = yield* Effect.provide(StreamBuffer, buffers)
      yield* TestClock.setTime(Date.UTC(2026, 10, 30, 23, 59, 58))
      yield* buffer.put("events", [{ data: { id: 1, kind: "a" } }, { data: { id: 2, kind: "a" } }])
      yield* TestClock.setTime(Date.UTC(2026, 11, 1, 0, 0, 1))
      yield* buffer.put("events", [{ data: { id: 3, kind: "b" } }, { data: "{oops" }])
      const flushed = yield* buffer.flush()
      expect(flushed.objects.map((o) => o.replace(/-[0-9a-f]{16}\.jsonl$/, ""))).toEqual([
        "landing/events/2026/11/events-stream-1-2026-11-30-23-59-58",
        "landing/events/2026/12/events-stream-1-2026-12-01-00-00-01",
        "ingest-errors/events/2026/12/events-stream-1-2026-12-01-00-00-01"
      ])
      const files = landed(dir)
      expect(Object.entries(files).find(([p]) => p.startsWith("landing/events/2026/11/"))![1]).toEqual(['{"id":1,"kind":"a"}', '{"id":2,"kind":"a"}'])
      expect(Object.entries(files).find(([p]) => p.startsWith("landing/events/2026/12/"))![1]).toEqual(['{"id":3,"kind":"b"}'])
    })
  )
})

describe("the stream buffer on an S3 lake", () => {
  it("lands through the lake it is given: objects under the arrival month's prefix, new data for the source", async () => {
    const { startS3 } = await import("./support/s3rver.js")
    const S3Lake = await import("../resources/s3/S3Lake.js")
    const s3 = await startS3()
    disposers.push(() => s3.close())
    const dir = tempDir("assets-ingest-s3-")
    const lake = S3Lake.layer({ client: s3.client, bucket: s3.bucket, prefix: "lake", endpoint: s3.endpoint, region: "us-east-1" } as never)
    const runtime = ManagedRuntime.make(Buffers.layer({ spool: join(dir, "spool"), flushBytes: 1e9 }).pipe(Layer.provideMerge(Layer.merge(eventsIngest({ flushInterval: "1 hour" }), lake))))
    disposers.push(() => runtime.dispose())
    const observe = () => runtime.runPromise(Effect.map(events.observe, (o) => (o._tag === "Partitioned" ? o.partitions.get(month() as never) : undefined)))
    expect(await observe()).toBeUndefined()
    const result = await runtime.runPromise(Effect.flatMap(StreamBuffer, (b) => b.put("events", [{ data: { id: 1, kind: "a" } }, { data: { id: 2, kind: "b" } }, { data: "nope" }])))
    expect([result.accepted, result.rejected]).toEqual([2, 1])
    const flushed = await runtime.runPromise(Effect.flatMap(StreamBuffer, (b) => b.flush()))
    expect(flushed.objects.map((o) => o.split("/").slice(0, 4).join("/"))).toEqual([prefix(month()).slice(0, -1), `ingest-errors/events/${month().replace("-", "/")}`])
    const first = await observe()
    expect(first).toBeDefined()
    const listed = await runtime.runPromise(Effect.flatMap(Lake, (l) => l.list(prefix(month()))))
    expect(listed).toHaveLength(1)
    const body = await runtime.runPromise(Effect.flatMap(Lake, (l) => Stream.runCollect(l.read(listed[0]!.path)).pipe(Effect.map((c) => new TextDecoder().decode(Buffer.concat([...c]))))))
    expect(body).toBe('{"id":1,"kind":"a"}\n{"id":2,"kind":"b"}\n')
    await runtime.runPromise(Effect.flatMap(StreamBuffer, (b) => Effect.zipRight(b.put("events", [{ data: { id: 3, kind: "a" } }]), b.flush())))
    expect(await observe()).not.toBe(first)
  })
})
