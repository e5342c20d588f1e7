import { join } from "node:path"
import { Effect, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { newId } from "../runtime/events/ids.js"
import type { Materialization } from "../runtime/events/records.js"
import { makeApp } from "../ui-api/app.js"
import { apiFixture } from "./api-fixture.js"

type Fixture = Awaited<ReturnType<typeof apiFixture>>

const record = (partition: string): Materialization =>
  ({
    id: newId("m"),
    runId: "r-elsewhere",
    asset: "streaming_films",
    partition,
    codeVersion: "c",
    dataVersion: "from-another-process",
    rowCount: 1,
    metadata: {},
    startedAt: new Date().toISOString(),
    endedAt: new Date().toISOString(),
    inputs: []
  }) as unknown as Materialization

describe("the API's reused responses", () => {
  let f: Fixture
  beforeAll(async () => {
    f = await apiFixture()
  })
  afterAll(() => f.dispose())

  const newest = async (app: ReturnType<typeof makeApp>) => {
    const res = await app.request("/api/assets/streaming_films/materializations?partition=2023-02&limit=1")
    expect(res.status).toBe(200)
    return ((await res.json()) as { items: Array<{ dataVersion: string }> }).items[0]!.dataVersion
  }

  it("serves history from memory until something is materialized, here or in another process", async () => {
    const app = makeApp(f.runtime)
    const before = await newest(app)
    expect(await newest(app)).toBe(before)

    // another process (its own connection to the same SQLite file) records a materialization
    const elsewhere = ManagedRuntime.make(SqliteEventStore.layer(join(f.dir, "state", "events.sqlite")))
    await elsewhere.runPromise(Effect.flatMap(EventStore, (s) => s.recordMaterialization(record("2023-02"))))
    await elsewhere.dispose()
    await new Promise((r) => setTimeout(r, 600))
    expect(await newest(app)).toBe("from-another-process")

    // a materialization recorded through the API's own store is visible at once
    await f.runtime.runPromise(Effect.flatMap(EventStore, (s) => s.recordMaterialization({ ...record("2023-02"), dataVersion: "from-here" })))
    expect(await newest(app)).toBe("from-here")
  })
})
