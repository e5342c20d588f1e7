/**
 * Asset checks on a small monthly project: readings parsed from landed JSON lines (bad lines to a `rejected` side
 * output), a sensors table they must refer to, and a summary over every month. Real DuckDB, SQLite and a lake
 * folder; the engine is wrapped only to keep the SQL it receives.
 */
import { rmSync } from "node:fs"
import { join } from "node:path"
import { Effect, Layer, ManagedRuntime, Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  acceptedValues,
  Column,
  defineAsset,
  defineCheck,
  defineProject,
  defineSource,
  Engine,
  EventStore,
  freshness,
  Lake,
  monthly,
  notNull,
  rejectedFraction,
  relationships,
  rowCount,
  shortHash,
  unique,
  type AnyAssetDef,
  type PartitionKey
} from "sakila-assets"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { checkMaterialized } from "../runtime/checks/checkMaterialized.js"
import { loadCheckStates } from "../runtime/checks/checkStates.js"
import { CheckStore } from "../runtime/checks/CheckStore.js"
import { loadState, materialize } from "../runtime/execute/materialize.js"
import { buildGraph } from "../runtime/graph/AssetGraph.js"
import { projectLayer } from "../runtime/project/Project.js"
import { StatusResolver } from "../runtime/status/StatusResolver.js"
import * as DuckDB from "../resources/duckdb/DuckDB.js"
import * as DuckDBEngine from "../resources/duckdb/DuckDBEngine.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import * as LocalLake from "../resources/lake-fs/LocalLake.js"
import { tempDir } from "./support/testProject.js"

const months = monthly({ start: "2023-01", end: "2023-12" })
const enc = new TextEncoder()

const ticks = defineSource({
  key: "ticks",
  partitions: months,
  format: "jsonl",
  prefix: (p) => `landing/ticks/${p}/`,
  observe: Effect.gen(function* () {
    const by = new Map<PartitionKey, Array<string>>()
    for (const o of yield* (yield* Lake).list("landing/ticks/")) {
      const m = o.path.split("/")[2] as PartitionKey
      by.set(m, [...(by.get(m) ?? []), `${o.path} ${o.tag}`])
    }
    return { _tag: "Partitioned" as const, partitions: new Map([...by].map(([k, v]) => [k, shortHash(...v)])) }
  })
})

const sensors = defineAsset({
  key: "sensors",
  schema: Schema.Struct({ sensor: Column.int }),
  sql: () => `SELECT CAST(range AS INTEGER) AS sensor FROM range(1, 6)`
})

const field = (name: string) => `json_extract_string(line, '$.${name}')`

/** The readings with their checks; `kinds` is what the accepted-values warning accepts (a test changes it). */
const readingsWith = (kinds: ReadonlyArray<string>) =>
  defineAsset({
    key: "readings",
    partitions: months,
    deps: { ticks, sensors },
    schema: Schema.Struct({ id: Column.int, kind: Column.text, sensor: Column.int, at: Column.timestamp }),
    sql: ({ inputs }) => `
      SELECT CAST(${field("id")} AS INTEGER) AS id, ${field("kind")} AS kind, CAST(${field("sensor")} AS INTEGER) AS sensor,
             CAST(${field("at")} AS TIMESTAMP) AS at
      FROM ${inputs.ticks} WHERE ${field("id")} IS NOT NULL`,
    sideOutputs: {
      rejected: { schema: Schema.Struct({ line: Column.text }), sql: ({ inputs }) => `SELECT line FROM ${inputs.ticks} WHERE ${field("id")} IS NULL` }
    },
    checks: [
      notNull("id"),
      unique("id"),
      acceptedValues("kind", kinds, { severity: "warn" }),
      relationships("sensor", sensors),
      rowCount({ min: 1 }),
      rowCount({ min: 0.5, relativeTo: "previousPartition" }, { severity: "warn" }),
      freshness("at", { maxAge: "20 days" }, { severity: "warn" }),
      rejectedFraction({ max: 0.25 }),
      defineCheck({
        name: "ids_positive",
        version: "1",
        run: (ctx) =>
          Effect.map(
            Effect.flatMap(Engine, (e) => e.query(`SELECT CAST(count(*) AS INTEGER) AS n FROM ${ctx.output} WHERE id <= 0`)),
            ([row]) => ({ passed: Number(row?.["n"]) === 0, metadata: { nonPositive: Number(row?.["n"]) } })
          )
      })
    ]
  })

const summaryOf = (readings: AnyAssetDef) =>
  defineAsset({
    key: "summary",
    deps: { readings },
    schema: Schema.Struct({ kind: Column.text, n: Column.bigint }),
    sql: ({ inputs }) => `SELECT kind, count(*)::BIGINT AS n FROM ${inputs.readings} GROUP BY kind`
  })

const line = (id: number, kind = "a", sensor = 1, day = 25, month = "2023-01") =>
  JSON.stringify({ id, kind, sensor, at: `${month}-${String(day).padStart(2, "0")}T10:00:00` })

/** A project on the folder `dir` whose engine keeps every query it is sent in `queries`. */
const openProject = (dir: string, assets: ReadonlyArray<AnyAssetDef>, queries: Array<string>) => {
  const lake = LocalLake.layer(join(dir, "lake"))
  const recording = Layer.effect(
    Engine,
    Effect.map(Engine, (engine) =>
      Engine.of({
        ...engine,
        query: (sql) => Effect.zipRight(Effect.sync(() => queries.push(sql)), engine.query(sql)),
        // the output check, with the asset checks' counts that ride along in its scan
        check: (path, format, columns, counts) =>
          Effect.zipRight(Effect.sync(() => queries.push(`CHECK ${engine.relation({ format, paths: [path], columns })} COUNTING ${(counts ?? []).join(" | ")}`)), engine.check(path, format, columns, counts))
      })
    )
  ).pipe(Layer.provide(DuckDBEngine.layer.pipe(Layer.provide(DuckDB.layer({ threads: 2 })))))
  const layer = Layer.mergeAll(recording, SqliteEventStore.layer(join(dir, "state", "events.sqlite"))).pipe(Layer.provideMerge(lake))
  const project = defineProject({ name: "checks", assets, layer })
  const runtime = ManagedRuntime.make(Layer.mergeAll(project.layer, projectLayer(project)))
  return { graph: project.graph, runtime, run: <A, E>(e: Effect.Effect<A, E, Layer.Layer.Success<typeof project.layer>>) => runtime.runPromise(e) }
}

const land = (month: string, file: string, lines: ReadonlyArray<string>) =>
  Effect.flatMap(Lake, (lake) => lake.write(`landing/ticks/${month}/${file}`, enc.encode(lines.join("\n") + "\n")))

const readingsKey = "readings" as AssetKey

describe("asset checks", () => {
  const dir = tempDir("checks-")
  const queries: Array<string> = []
  const readings = readingsWith(["a", "b"])
  let p: ReturnType<typeof openProject>
  const firstRun: Record<string, string> = {}

  beforeAll(async () => {
    p = openProject(dir, [ticks, sensors, readings, summaryOf(readings)], queries)
    await p.run(
      Effect.all([
        land("2023-01", "t1.jsonl", [line(1), line(2, "b"), line(3, "a", 2), line(4)]),
        land("2023-02", "t1.jsonl", [line(11, "a", 1, 25, "2023-02"), line(12, "b", 3, 25, "2023-02"), line(13, "a", 5, 25, "2023-02"), "{}"]),
        land("2023-03", "t1.jsonl", [line(21, "a", 1, 25, "2023-03"), line(22, "a", 4, 25, "2023-03"), line(23, "b", 2, 25, "2023-03"), line(24, "a", 1, 25, "2023-03")])
      ])
    )
    const result = await p.run(materialize({ selection: "summary" }))
    expect(result.status, JSON.stringify(result.outcomes.map((o) => [o.task.id, o.message]))).toBe("SUCCESS")
    for (const o of result.outcomes) if (o.materialization) firstRun[o.task.id] = o.materialization.id
  }, 60_000)
  afterAll(async () => {
    await p.runtime.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it("runs every check of each month on materialize and records the results with it", async () => {
    const results = await p.run(Effect.flatMap(CheckStore, (s) => s.latest([readingsKey])))
    expect(results).toHaveLength(3 * 9)
    expect(results.filter((r) => r.status !== "PASSED").map((r) => `${r.partition} ${r.check}: ${r.message}`)).toEqual([])
    const feb = results.filter((r) => r.partition === "2023-02")
    expect(feb.find((r) => r.check === "rejected_under_25pct")!.metadata).toMatchObject({ rejected: 1, total: 4 })
    expect(feb.every((r) => r.materializationId === firstRun["readings[2023-02]"])).toBe(true)
    expect(feb.find((r) => r.check === "ids_positive")!.metadata).toEqual({ nonPositive: 0 })
  })

  it("a blocking check failing on one month keeps that month's previous output current and abandons downstream with the check named; other months proceed", async () => {
    queries.length = 0
    await p.run(
      Effect.all([
        land("2023-01", "t2.jsonl", [line(5)]),
        // sensor 99 is not among the sensors: the relationships check fails
        land("2023-02", "t2.jsonl", [line(14, "a", 99, 26, "2023-02")]),
        // kind "c" is outside the accepted values: a warning, recorded, not blocking
        land("2023-03", "t2.jsonl", [line(25, "c", 1, 26, "2023-03")])
      ])
    )
    const result = await p.run(materialize({ selection: "summary" }))
    const byId = Object.fromEntries(result.outcomes.map((o) => [o.task.id, o]))
    expect(byId["readings[2023-01]"]!.state).toBe("succeeded")
    expect(byId["readings[2023-03]"]!.state).toBe("succeeded")
    const feb = byId["readings[2023-02]"]!
    expect(feb.state).toBe("failed")
    expect(feb.message).toContain("check sensor_in_sensors failed on readings[2023-02]: 1 failing row")
    expect(feb.message).toContain('"sensor":99')
    expect(feb.message).toContain("what was current before stays current")
    expect(byId["summary"]!.state).toBe("abandoned")
    expect(byId["summary"]!.message).toBe("upstream failed: readings[2023-02] (check sensor_in_sensors failed)")

    // the outcome carries every check's result, the blocking failure among them
    expect(feb.checks.find((r) => r.check === "sensor_in_sensors")).toMatchObject({ status: "FAILED", failingRows: 1, blocking: true })
    expect(feb.checks.find((r) => r.check === "sensor_in_sensors")!.sample[0]).toMatchObject({ id: 14, sensor: 99 })

    const state = await p.run(loadState(p.graph, [readingsKey]))
    expect(state.materialization(readingsKey, "2023-02" as PartitionKey)!.id).toBe(firstRun["readings[2023-02]"])
    expect(state.materialization(readingsKey, "2023-01" as PartitionKey)!.id).not.toBe(firstRun["readings[2023-01]"])
    // what outside readers see at the stable path is still the first output: 3 rows
    const [published] = await p.run(
      Effect.flatMap(Engine, (e) =>
        e.query(`SELECT CAST(count(*) AS INTEGER) AS n FROM ${e.relation({ format: "parquet", paths: ["curated/readings/year=2023/month=02/data.parquet"], columns: undefined })}`)
      )
    )
    expect(Number(published!["n"])).toBe(3)

    // the warning was recorded and did not block March
    const march = byId["readings[2023-03]"]!.checks.find((r) => r.check === "accepted_values_kind")!
    expect(march).toMatchObject({ status: "WARNED", failingRows: 1, blocking: false })
    expect(byId["readings[2023-03]"]!.materialization!.id).toBe(march.materializationId)

    const shown = await p.run(loadCheckStates(p.graph, [readingsKey]))
    expect(shown.failing.get(`readings\u00002023-02`)!.map((c) => `${c.check} ${c.status}`)).toEqual(["sensor_in_sensors FAILED"])
    expect(shown.failing.get(`readings\u00002023-03`)!.map((c) => `${c.check} ${c.status}`)).toEqual(["accepted_values_kind WARNED"])
    expect(shown.failing.has(`readings\u00002023-01`)).toBe(false)
  }, 60_000)

  it("runs each month's checks over that month's output only, in as few scans as it can (from the SQL the engine received)", () => {
    // staged files are named by their encoded lake path
    const received = queries.map(decodeURIComponent)
    const monthOf = (q: string) => {
      const read = [...q.matchAll(/readings\/year=2023\/month=(\d\d)\/data\.parquet/g)].map((m) => m[1])
      expect(new Set(read).size, q).toBe(1)
      // the staged output of this run, never a published or another month's file
      expect(q).toContain(".staging/")
      return read[0]
    }
    // not null, unique and accepted values: counted in the engine's own scan of the output, as it checks its columns
    const scans = received.filter((q) => q.startsWith("CHECK") && q.includes("curated/readings/"))
    expect(scans.map(monthOf).sort()).toEqual(["01", "02", "03"])
    for (const q of scans) expect(q.split("COUNTING ")[1]!.split(" | ")).toEqual(['count(*) FILTER (WHERE "id" IS NULL)', 'count("id") - count(DISTINCT "id")', `count(*) FILTER (WHERE "kind" IS NOT NULL AND "kind" NOT IN ('a', 'b'))`])
    // the relationships check reads the sensors too: a query of its own, per month
    const related = received.filter((q) => q.includes(" AS c0"))
    expect(related.map(monthOf).sort()).toEqual(["01", "02", "03"])
    for (const q of related) expect(q).toMatch(/^SELECT \(SELECT CAST\(count\(\*\) AS BIGINT\) FROM \(SELECT o\.\* FROM .*sensors.* AS failing_0\) AS c0$/s)
    // a sample is read only for a failing check (February's sensor, March's kind)
    expect(received.filter((q) => q.includes(`LIMIT 5`)).map(monthOf).sort()).toEqual(["02", "03"])
  })

  it("a changed check definition makes only that check's results stale, and `check` runs it again without materializing", async () => {
    const changed = readingsWith(["a", "b", "c"])
    const q: Array<string> = []
    await p.runtime.dispose()
    p = openProject(dir, [ticks, sensors, changed, summaryOf(changed)], q)
    const before = await p.run(Effect.flatMap(EventStore, (s) => s.latestMaterializationId))
    const resolver = new StatusResolver(p.graph, await p.run(loadState(p.graph, [readingsKey])))
    expect(resolver.status(readingsKey, "2023-01" as PartitionKey).status).toBe("FRESH")
    expect(resolver.status(readingsKey, "2023-03" as PartitionKey).status).toBe("FRESH")
    const stale = await p.run(loadCheckStates(p.graph, [readingsKey]))
    expect(stale.stale.get(readingsKey)).toEqual([{ check: "accepted_values_kind", partitions: 3 }])
    expect(stale.failing.get(`readings\u00002023-03`)![0]!.stale).toBe(true)

    const checked = await p.run(checkMaterialized(p.graph, [readingsKey]))
    expect(checked.map((c) => c.partition)).toEqual(["2023-01", "2023-02", "2023-03"])
    const march = checked.find((c) => c.partition === "2023-03")!
    expect(march.results.every((r) => r.status === "PASSED" && r.runId === null && r.materializationId === march.materialization.id)).toBe(true)
    expect(await p.run(Effect.flatMap(EventStore, (s) => s.latestMaterializationId))).toBe(before)
    const after = await p.run(loadCheckStates(p.graph, [readingsKey]))
    expect(after.stale.get(readingsKey)).toBeUndefined()
    expect(after.failing.size).toBe(0)
  }, 60_000)

  it("refuses a check reading what its asset does not read, and two checks of one name", () => {
    const other = defineAsset({ key: "other", schema: Schema.Struct({ n: Column.int }), sql: () => "SELECT 1 AS n" })
    expect(() =>
      defineAsset({ key: "x", deps: { sensors }, schema: Schema.Struct({ n: Column.int }), sql: () => "SELECT 1 AS n", checks: [relationships("n", other)] })
    ).toThrow(/check 'n_in_other' reads 'other', which is not one of its inputs/)
    expect(() => defineAsset({ key: "x", schema: Schema.Struct({ n: Column.int }), sql: () => "SELECT 1 AS n", checks: [notNull("n"), notNull("n")] })).toThrow(
      /two checks are named 'not_null_n'/
    )
    expect(() => defineAsset({ key: "x", schema: Schema.Struct({ n: Column.int }), sql: () => "SELECT 1 AS n", checks: [rejectedFraction({ max: 0.1 })] })).toThrow(
      /reads the side output 'rejected', which the asset does not have/
    )
    expect(() => defineCheck({ name: "e", run: () => Effect.succeed({ passed: true }) } as never)).toThrow(/needs a version/)
    // a check is not part of the asset's code version: changing one leaves the asset fresh
    expect(readingsWith(["a"]).codeVersion).toBe(readingsWith(["b"]).codeVersion)
    expect(readingsWith(["a"]).checks[2]!.version).not.toBe(readingsWith(["b"]).checks[2]!.version)
    expect(buildGraph([ticks, sensors, readings]).get(readingsKey)._tag).toBe("Asset")
  })
})
