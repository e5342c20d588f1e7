import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import { Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { clinicAssets } from "../examples/funflix/assets/clinic.js"
import * as Europe from "../examples/funflix/assets/europe.js"
import { ingestionAssets } from "../examples/funflix/assets/ingestion.js"
import { prepare as funflixPrepare } from "../examples/funflix/assets/prepare.js"
import { questionAssets } from "../examples/funflix/assets/questions.js"
import { salesAssets } from "../examples/funflix/assets/sales.js"
import { movalyticsAssets } from "../examples/movalytics/assets/pipeline.js"
import { prepare as movalyticsPrepare } from "../examples/movalytics/assets/prepare.js"
import type { AnyAssetDef } from "../runtime/asset/Asset.js"
import { Engine } from "../runtime/engine/Engine.js"
import { materialize } from "../runtime/execute/materialize.js"
import { buildGraph } from "../runtime/graph/AssetGraph.js"
import { Lake } from "../runtime/lake/Lake.js"
import { Project } from "../runtime/project/Project.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import * as ScaleOut from "../resources/athena/scaleOut.js"
import { testAthenaConfig } from "./support/athenaConfig.js"
import { startFakeAthena, type FakeAthena } from "./support/fakeAthena.js"
import { startS3, type S3Fixture } from "./support/s3rver.js"
import { tempDir } from "./support/testProject.js"

// Both example projects on an S3 lake with Athena as the engine (the loopback S3 server and Athena endpoint), each
// view created in the Athena catalog: the statements sent are checked against golden files (UPDATE_GOLDEN=1
// rewrites them), the answers against the embedded run's.
const funflixAssets: ReadonlyArray<AnyAssetDef> = [...ingestionAssets, ...salesAssets, ...questionAssets, ...clinicAssets]
const golden = join(import.meta.dirname, "golden", "athena")
const dir = tempDir("examples-aws-")

const runtimeFor = <R>(
  name: string,
  assets: ReadonlyArray<AnyAssetDef>,
  s3: S3Fixture,
  athena: FakeAthena,
  own: Layer.Layer<R, unknown>,
  prepare: Effect.Effect<void, unknown, Lake | R>
) => {
  const graph = buildGraph(assets)
  const resources = ScaleOut.layer({
    assets,
    lake: { bucket: s3.bucket, prefix: name, endpoint: s3.endpoint, region: "us-east-1", retention: 0 },
    // each project its own database: both have tables named movies and ratings
    athena: testAthenaConfig(athena.endpoint, s3.bucket, { queryTimeout: "2 minutes", database: name })
  })
  const project = Layer.effect(
    Project,
    Effect.map(Effect.context<Lake | R>(), (ctx) => ({ name, graph, beforeRun: Effect.provide(prepare, ctx) }))
  )
  return ManagedRuntime.make(Layer.mergeAll(SqliteEventStore.layer(join(dir, `${name}.sqlite`)), project.pipe(Layer.provideMerge(own))).pipe(Layer.provideMerge(resources)))
}

const canonical = (rows: ReadonlyArray<Record<string, unknown>>) =>
  rows
    .map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : /^-?\d+(\.\d+)?$/.test(String(v)) ? Math.round(Number(v) * 100) / 100 : String(v)]))))
    .sort()

/** The statement, or a golden file's text: equal, or written when missing or asked. */
const matchesGolden = (file: string, sql: string) => {
  mkdirSync(join(file, ".."), { recursive: true })
  if (process.env["UPDATE_GOLDEN"] === "1" || !existsSync(file)) writeFileSync(file, `${sql.trim()}\n`)
  expect(`${sql.trim()}\n`, file).toBe(readFileSync(file, "utf8"))
}

describe("the example projects on an S3 lake with Athena as the engine", () => {
  let s3: S3Fixture
  let athena: FakeAthena
  beforeAll(async () => {
    delete process.env["FUNFLIX_EUROPE_MYSQL_URL"]
    s3 = await startS3()
    athena = await startFakeAthena({ s3: s3.client })
  })
  afterAll(async () => {
    await athena?.close()
    await s3?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it("Funflix: every asset materializes, each view is created in the catalog (golden SQL) and answers as the embedded run's", async () => {
    const rt = runtimeFor("funflix", funflixAssets, s3, athena, Europe.layer(join(dir, "europe_sales.sqlite")), funflixPrepare)
    try {
      const result = await rt.runPromise(materialize({ selection: "*" }))
      const failed = result.outcomes.filter((o) => o.state !== "succeeded")
      expect(JSON.stringify(failed, null, 1).slice(0, 3000)).toBe("[]")

      // the embedded run of the same example, through the command
      const local = join(dir, "embedded")
      const r = spawnSync(process.execPath, [resolve("bin/assets.js"), "materialize", "*"], {
        env: { ...process.env, ASSETS_CONFIG: resolve("examples/funflix/assets.config.ts"), ASSETS_LAKE: join(local, "lake"), ASSETS_STATE_DIR: join(local, "state"), FUNFLIX_EUROPE_DB: join(local, "europe.sqlite") },
        encoding: "utf8"
      })
      expect(r.status, r.stderr).toBe(0)
      const db = await DuckDBInstance.create(join(local, "lake", "_catalog.duckdb"), { access_mode: "READ_ONLY" })
      const c = await db.connect()
      try {
        for (const view of questionAssets.concat(clinicAssets.filter((a) => a._tag === "Asset" && a.materialization === "view") as never)) {
          const created = [...athena.queries.values()].filter((q) => q.state === "SUCCEEDED" && q.sql.startsWith(`CREATE OR REPLACE VIEW "funflix"."${view.key}" AS`))
          expect(created.length, view.key).toBe(1)
          matchesGolden(join(golden, "funflix", `${view.key}.sql`), created[0]!.sql)
          const theirs = await rt.runPromise(Effect.flatMap(Engine, (e) => e.query(`SELECT * FROM "funflix"."${view.key}"`)))
          const read = await c.runAndReadAll(`SELECT * FROM ${view.key}`)
          const mine = read.getRowsJson().map((row) => Object.fromEntries(read.columnNames().map((n, i) => [n, row[i] as unknown])))
          expect(theirs.length, view.key).toBeGreaterThan(0)
          expect(canonical(theirs), view.key).toEqual(canonical(mine))
        }
      } finally {
        c.closeSync()
        db.closeSync()
      }
      // the conversion of each row's local time in its zone to UTC, as Athena is asked it
      const europeMarch = [...athena.queries.values()].find((q) => q.state === "SUCCEEDED" && /^CREATE TABLE [\s\S]*\/curated\/sales\/year=2022\/month=03\/region=europe\/data\.parquet\/'\)\s*AS\n/.test(q.sql))
      expect(europeMarch).toBeDefined()
      matchesGolden(join(golden, "funflix", "sales_2022-03_europe.sql"), europeMarch!.sql.slice(europeMarch!.sql.indexOf("')\nAS\n") + 6))
      // month x region partitions are table partitions an analyst filters on
      const rows = await rt.runPromise(Effect.flatMap(Engine, (e) => e.query(`SELECT location, count(*) AS n FROM "funflix"."sales" WHERE "region" = 'europe' AND "month" = '03' GROUP BY 1`)))
      expect(rows.map((x) => x["location"])).toEqual(["europe"])
      expect([...athena.tables.get("funflix.sales")!.partitions.keys()]).toContain("2022|03|europe")
      // nothing of a view is written to the lake
      expect([...athena.views.keys()].sort()).toEqual(expect.arrayContaining(["funflix.customer_feb22", "funflix.top_locations"]))
      const again = await rt.runPromise(materialize({ selection: "*" }))
      expect(again.plan.tasks).toEqual([])
    } finally {
      await rt.dispose()
    }
  })

  it("Movalytics: three deliveries merged by key on Athena, the merge statement checked in a golden file", async () => {
    const rt = runtimeFor("movalytics", movalyticsAssets, s3, athena, Layer.empty, movalyticsPrepare)
    try {
      const result = await rt.runPromise(materialize({ selection: "*" }))
      const failed = result.outcomes.filter((o) => o.state !== "succeeded")
      expect(JSON.stringify(failed, null, 1).slice(0, 3000)).toBe("[]")
      const query = (sql: string) => rt.runPromise(Effect.flatMap(Engine, (e) => e.query(sql)))
      const counts = await query(`SELECT * FROM "movalytics"."movies_merge" WHERE "year" = '2023' AND "month" = '02'`)
      expect(counts.map((x) => [x["inserted"], x["updated"], x["unchanged"], x["deleted"], x["kept"]].map(Number))).toEqual([[15, 30, 30, 0, 240]])
      const movies = await query(`SELECT count(*) AS n FROM "movalytics"."movies" WHERE "year" = '2023' AND "month" = '03'`)
      expect(Number(movies[0]!["n"])).toBe(300 + 15 + 15 - 3)
      const merge = [...athena.queries.values()].find((q) => q.state === "SUCCEEDED" && /^CREATE TABLE [\s\S]*\/curated\/movies\/year=2023\/month=02\/data\.parquet\/'\)\s*AS\s*WITH delivery/.test(q.sql))
      expect(merge).toBeDefined()
      matchesGolden(join(golden, "movalytics", "movies_2023-02.sql"), merge!.sql.slice(merge!.sql.indexOf("AS\nWITH delivery") + 3))
      const again = await rt.runPromise(materialize({ selection: "*" }))
      expect(again.plan.tasks).toEqual([])
    } finally {
      await rt.dispose()
    }
  })
})
