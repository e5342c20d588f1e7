import { join } from "node:path"
import { Duration, Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { generate } from "../assets/feed/generate.js"
import { compileTemplate, sakilaTemplate, TemplateError } from "../assets/feed/kdgTemplate.js"
import { PartnerEvent } from "../assets/feed/partnerEvent.js"
import { makeRng } from "../assets/generated/rng.js"
import { DISTRIBUTORS, EVENT_WEIGHTS, PLATFORMS, US_STATES } from "../assets/generated/simulateStreams.js"
import { streamingLanding } from "../assets/streaming.js"
import * as DuckDB from "../resources/duckdb/DuckDB.js"
import * as DuckDBEngine from "../resources/duckdb/DuckDBEngine.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import * as LocalLake from "../resources/lake-fs/LocalLake.js"
import { StreamBuffer } from "../runtime/ingest/StreamBuffer.js"
import { acceptRecords, streamIngest } from "../runtime/ingest/StreamSources.js"
import { defineProject } from "../runtime/project/Project.js"
import * as Auth from "../ui-api/auth.js"
import { apiLayer } from "../ui-api/layer.js"
import { listen } from "../ui-api/server.js"
import { tempDir } from "./support/testProject.js"

describe("the KDG template", () => {
  it("renders the simulator's fields with its values and weights, one JSON object a line", () => {
    const t = compileTemplate(sakilaTemplate)
    const rng = makeRng(1)
    const now = Date.UTC(2026, 11, 7, 10, 30, 15)
    const types = new Map<string, number>()
    for (let i = 0; i < 20_000; i++) {
      const line = t.render(rng, now)
      const e = JSON.parse(line) as Record<string, unknown>
      expect(Object.keys(e)).toEqual(["timestamp", "eventType", "film_id", "distributor", "platform", "state"])
      if (i === 0) expect(e["timestamp"]).toBe("2026-12-07T10:30:15+00:00")
      expect(DISTRIBUTORS).toContain(e["distributor"])
      expect(PLATFORMS).toContain(e["platform"])
      expect(US_STATES).toContain(e["state"])
      expect(Number.isInteger(e["film_id"]) && (e["film_id"] as number) >= 1 && (e["film_id"] as number) <= 1000).toBe(true)
      types.set(e["eventType"] as string, (types.get(e["eventType"] as string) ?? 0) + 1)
    }
    for (const [type, weight] of EVENT_WEIGHTS) expect(Math.abs(types.get(type)! / 20_000 - weight)).toBeLessThan(0.02)
  })

  it("takes a pretty-printed template of one's own, and says what is wrong with a bad one", () => {
    const t = compileTemplate(`{\n  "id": {{random.number(9)}},\n  "at": "{{date.now("YYYY-MM-DD HH:mm")}}"\n}`)
    expect(t.render(makeRng(2), Date.UTC(2026, 0, 2, 3, 4))).toMatch(/^\{"id": \d,"at": "2026-01-02 03:04"\}$/)
    expect(() => compileTemplate(`{"x": "{{faker.name}}"}`)).toThrow(TemplateError)
    expect(() => compileTemplate(`{"x": "{{faker.name}}"}`)).toThrow(/unknown helper 'faker.name'/)
  })
})

describe("assets stream generate", () => {
  const dir = tempDir("assets-generate-")
  const project = defineProject({
    name: "generate",
    assets: [streamingLanding],
    layer: Layer.mergeAll(
      DuckDBEngine.layer.pipe(Layer.provide(DuckDB.layer({ threads: 1 }))),
      SqliteEventStore.layer(join(dir, "state", "events.sqlite")),
      streamIngest([acceptRecords(streamingLanding, { schema: PartnerEvent, name: "sakila-stream" })])
    ).pipe(Layer.provideMerge(LocalLake.layer(join(dir, "lake"))))
  })
  const runtime = ManagedRuntime.make(apiLayer(project, Auth.layer({ host: "127.0.0.1" }), { spool: join(dir, "spool"), flushBytes: 1e9 }))
  afterAll(() => runtime.dispose())

  it("sends the records due at its rate over HTTP, counting what the server accepted and rejected; all of them land", async () => {
    const result = await runtime.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const { url } = yield* listen(runtime, { host: "127.0.0.1", port: 0 })
          return yield* generate({
            rate: 400,
            duration: Duration.seconds(1),
            to: url,
            source: "streaming_landing",
            template: compileTemplate(sakilaTemplate),
            malformed: 0.1,
            seed: 3,
            token: undefined,
            batch: 50
          })
        })
      )
    )
    expect(result.sent).toBe(400)
    expect(result.accepted + result.rejected).toBe(400)
    expect(result.rejected).toBeGreaterThan(15)
    expect(result.rejected).toBeLessThan(80)
    const flushed = await runtime.runPromise(Effect.flatMap(StreamBuffer, (b) => b.flush()))
    expect(flushed.lines).toBe(result.accepted)
    expect(flushed.errors).toBe(result.rejected)
    expect(flushed.objects.filter((o) => o.startsWith("landing/streaming/"))).toHaveLength(1)
  })

  it("stops with the server's message when it answers an error, and says when it cannot reach it", async () => {
    const run = (to: string, source: string) =>
      runtime.runPromise(
        Effect.flip(
          generate({ rate: 10, duration: Duration.millis(300), to, source, template: compileTemplate(sakilaTemplate), malformed: 0, seed: 1, token: undefined, batch: 500 })
        )
      )
    const unknown = await runtime.runPromise(
      Effect.scoped(Effect.flatMap(listen(runtime, { host: "127.0.0.1", port: 0 }), ({ url }) => Effect.promise(() => run(url, "nope"))))
    )
    expect(unknown.message).toMatch(/answered 404: source 'nope' takes no records/)
    const down = await run("http://127.0.0.1:9", "streaming_landing")
    expect(down.message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9\/api\/streams\/streaming_landing\/records/)
  })
})
