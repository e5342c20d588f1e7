import { join } from "node:path"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sakilaAssets } from "../assets/index.js"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { Engine } from "../runtime/engine/Engine.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { materialize } from "../runtime/execute/materialize.js"
import { buildGraph } from "../runtime/graph/AssetGraph.js"
import * as MysqlEventStore from "../resources/event-store/MysqlEventStore.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import * as GeneratedSakila from "../assets/generated/GeneratedSakila.js"
import * as SimulatedFeed from "../assets/feed/SimulatedFeed.js"
import * as ScaleOut from "../resources/athena/scaleOut.js"
import { testAthenaConfig } from "./support/athenaConfig.js"
import { createEmptyDatabase, mysqlAvailability, type SakilaDatabase } from "./support/sakilaDatabase.js"
import { startFakeAthena, type FakeAthena } from "./support/fakeAthena.js"
import { startS3, type S3Fixture } from "./support/s3rver.js"
import { tempDir, testProject, type TestProject } from "./support/testProject.js"
import { demoProject } from "./support/demoProject.js"

const feed = { seed: 7, from: "2023-01", to: "2023-03", eventsPerMonth: 1500, lateFraction: 0.3, malformedFraction: 0.01 }
const reports = "category_report,state_report,category_state_report"

// scale-out keeps its record on MySQL (resources/presets.ts): on MariaDB whenever one is reachable, as under CI
const mysql = await mysqlAvailability()

const awsProject = (s3: S3Fixture, athena: FakeAthena, dir: string, store: SakilaDatabase | undefined) => {
  const graph = buildGraph(sakilaAssets)
  const layer = Layer.mergeAll(
    store === undefined ? SqliteEventStore.layer(join(dir, "events.sqlite")) : MysqlEventStore.layer(Redacted.make(store.url)),
    GeneratedSakila.layer(42),
    demoProject("aws-test", graph, SimulatedFeed.layer(feed))
  ).pipe(
    Layer.provideMerge(
      ScaleOut.layer({
        assets: sakilaAssets,
        lake: { bucket: s3.bucket, prefix: "lake", endpoint: s3.endpoint, region: "us-east-1", retention: 0 },
        athena: testAthenaConfig(athena.endpoint, s3.bucket, { queryTimeout: "2 minutes" })
      })
    )
  )
  return ManagedRuntime.make(layer)
}

const sorted = (rows: ReadonlyArray<Record<string, unknown>>) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)]))).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))

describe("the Sakila pipeline on an S3 lake with Athena as the engine", () => {
  let s3: S3Fixture
  let athena: FakeAthena
  let embedded: TestProject
  let aws: ReturnType<typeof awsProject>
  let store: SakilaDatabase | undefined
  const dir = tempDir("assets-aws-")

  beforeAll(async () => {
    s3 = await startS3()
    athena = await startFakeAthena({ s3: s3.client })
    embedded = testProject({ assets: sakilaAssets, feed })
    if (mysql.ok) store = await createEmptyDatabase("assets_aws")
    else console.log(`the scale-out pipeline test records on SQLite: no MariaDB (${mysql.reason})`)
    aws = awsProject(s3, athena, dir, store)
  })
  afterAll(async () => {
    await aws?.dispose()
    await store?.drop()
    await embedded?.dispose()
    await athena?.close()
    await s3?.close()
  })

  it("materializes the reports, and each equals the embedded run's on the same events", async () => {
    const t0 = Date.now()
    const local = await embedded.materialize(reports)
    const t1 = Date.now()
    const remote = await aws.runPromise(materialize({ selection: reports }))
    const t2 = Date.now()
    console.log(`embedded ${t1 - t0} ms, S3 + Athena endpoint ${t2 - t1} ms, ${athena.queries.size} Athena queries`)
    expect(local.status).toBe("SUCCESS")
    const failed = remote.outcomes.filter((o) => o.state !== "succeeded")
    expect(JSON.stringify(failed, null, 1).slice(0, 3000)).toBe("[]")
    expect(remote.status).toBe("SUCCESS")
    expect(remote.outcomes.length).toBe(local.outcomes.length)

    for (const report of ["category_report", "state_report", "category_state_report"]) {
      const mine = await embedded.run(
        Effect.flatMap(Engine, (e) => e.query(`SELECT * FROM read_parquet('${join(embedded.dir, "lake", "curated", report, "data.parquet")}')`))
      )
      const theirs = await aws.runPromise(Effect.flatMap(Engine, (e) => e.query(`SELECT * FROM "sakila"."${report}"`)))
      expect(theirs.length).toBeGreaterThan(0)
      expect(sorted(theirs)).toEqual(sorted(mine))
    }
  })

  it("registers each asset as a table an analyst can query, partitions included", async () => {
    const rows = await aws.runPromise(Effect.flatMap(Engine, (e) => e.query("select * from streaming_films limit 5")))
    expect(rows.length).toBe(5)
    expect(Object.keys(rows[0]!)).toEqual(expect.arrayContaining(["event_time", "title", "category_name", "year", "month"]))
    const t = athena.tables.get("sakila.streaming_films")!
    expect([...t.partitions.keys()]).toEqual(expect.arrayContaining(["2023|01", "2023|02", "2023|03"]))
    expect([...t.partitions.values()][0]!.location).toMatch(/\/curated\/streaming_films\/year=2023\/month=0\d\/data\.versions\/m[0-9a-z]+\/$/)
  })

  it("records the query ids, bytes scanned and cost of every materialization", async () => {
    const list = await aws.runPromise(Effect.flatMap(EventStore, (s) => s.materializations({ asset: "streaming_films" as AssetKey, limit: 10 })))
    expect(list.length).toBeGreaterThan(0)
    for (const m of list) {
      const ids = m.metadata["athena_query_ids"] as ReadonlyArray<string>
      expect(ids.length).toBeGreaterThanOrEqual(1)
      for (const id of ids) expect(athena.queries.get(id)?.state).toBe("SUCCEEDED")
      expect(m.metadata["athena_bytes_scanned"]).toBeGreaterThan(0)
      expect(m.metadata["athena_cost_usd"]).toBeGreaterThan(0)
    }
  })

  it("finds everything fresh on a second run", async () => {
    const again = await aws.runPromise(materialize({ selection: reports }))
    expect(again.plan.tasks).toEqual([])
  })
})
