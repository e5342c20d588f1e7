import { existsSync } from "node:fs"
import { join } from "node:path"
import { Effect, Schema, Stream } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { defineAsset, defineSource, type AnyAssetDef } from "../runtime/asset/Asset.js"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { shortHash } from "../runtime/asset/codeVersion.js"
import { Column } from "../runtime/asset/columns.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { Lake } from "../runtime/lake/Lake.js"
import { monthly } from "../runtime/partitions/TimeWindowPartitions.js"
import { fromMonthIndex, monthIndex, type PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { outcomeStates, testProject, type TestProject } from "./support/testProject.js"

const months = monthly({ start: "2010-01", end: "2030-12" })
const enc = new TextEncoder()

/** A partitioned source: JSON lines under landing/events/YYYY-MM/, versioned by file names and sizes. */
const events = defineSource({
  key: "events",
  partitions: months,
  format: "jsonl",
  prefix: (p) => `landing/events/${p}/`,
  observe: Effect.gen(function* () {
    const objects = yield* (yield* Lake).list("landing/events/")
    const by = new Map<PartitionKey, Array<string>>()
    for (const o of objects) {
      const m = o.path.split("/")[2] as PartitionKey
      by.set(m, [...(by.get(m) ?? []), `${o.path} ${o.tag}`])
    }
    return { _tag: "Partitioned" as const, partitions: new Map([...by].map(([k, v]) => [k, shortHash(...v)])) }
  })
})

const Counted = Schema.Struct({ n: Column.bigint, total: Column.bigint })
const monthlyCounts = defineAsset({
  key: "monthly_counts",
  partitions: months,
  deps: { events },
  schema: Counted,
  sql: ({ inputs }) => `SELECT count(*)::BIGINT AS n, coalesce(sum(CAST(json_extract_string(line, '$.v') AS BIGINT)), 0)::BIGINT AS total FROM ${inputs.events}`
})
const allTime = defineAsset({
  key: "all_time",
  deps: { counts: monthlyCounts },
  schema: Counted,
  sql: ({ inputs }) => `SELECT sum(n)::BIGINT AS n, sum(total)::BIGINT AS total FROM ${inputs.counts}`
})

const land = (p: TestProject, month: string, values: ReadonlyArray<number>, name = "a.jsonl") =>
  p.run(Effect.flatMap(Lake, (lake) => lake.write(`landing/events/${month}/${name}`, Stream.make(enc.encode(values.map((v) => JSON.stringify({ v })).join("\n") + "\n")))))

let project: TestProject | undefined
const open = (assets: ReadonlyArray<AnyAssetDef>, dir?: string) => (project = testProject({ assets, ...(dir ? { dir } : {}) }))
afterEach(async () => {
  await project?.dispose()
  project = undefined
})

describe("staleness and materialization", () => {
  it("goes MISSING -> FRESH, skips fresh work, and explains each kind of staleness", async () => {
    const p = open([events, monthlyCounts, allTime])
    await land(p, "2023-01", [1, 2, 3])
    await land(p, "2023-02", [10])
    expect((await p.status("all_time")).status).toBe("MISSING")
    const first = await p.materialize("all_time")
    expect(outcomeStates(first)).toEqual({ "monthly_counts[2023-01]": "succeeded", "monthly_counts[2023-02]": "succeeded", all_time: "succeeded" })
    expect((await p.status("all_time")).status).toBe("FRESH")
    expect((await p.materialize("all_time")).plan.tasks).toEqual([])

    // a new file in one month: only that month and the aggregate
    await land(p, "2023-02", [5], "b.jsonl")
    const r = await p.resolver()
    expect(r.status("monthly_counts" as AssetKey, "2023-01" as PartitionKey).status).toBe("FRESH")
    expect(r.status("monthly_counts" as AssetKey, "2023-02" as PartitionKey).causes).toEqual([
      expect.objectContaining({ _tag: "InputChanged", input: "events", partition: "2023-02", source: true })
    ])
    expect(r.status("all_time" as AssetKey, null).causes).toEqual([{ _tag: "UpstreamStale", input: "monthly_counts", partition: "2023-02" }])
    const second = await p.materialize("all_time")
    expect(outcomeStates(second)).toEqual({ "monthly_counts[2023-02]": "succeeded", all_time: "succeeded" })

    // a new month: the aggregate reads a partition it did not read before
    await land(p, "2023-03", [7])
    const r2 = await p.resolver()
    expect(r2.status("all_time" as AssetKey, null).causes).toContainEqual({ _tag: "UpstreamMissing", input: "monthly_counts", partition: "2023-03" })
    await p.materialize("all_time")
    const [total] = await p.run(Effect.flatMap(EventStore, (s) => s.currentMaterializations(["all_time" as AssetKey])))
    expect(total!.inputs.map((i) => i.partition).sort()).toEqual(["2023-01", "2023-02", "2023-03"])
  })

  it("a code change makes the asset stale and its downstream stale through it; identical output keeps downstream fresh", async () => {
    const p = open([events, monthlyCounts, allTime])
    await land(p, "2023-01", [1, 2])
    await p.materialize("all_time")
    const dir = p.dir
    await p.runtime.dispose()
    project = undefined

    const rewritten = defineAsset({ ...monthlyCountsOptions, sql: ({ inputs }) => `SELECT * FROM (${monthlyCounts.compute._tag === "Sql" ? monthlyCounts.compute.sql({ inputs, partition: undefined, window: undefined }) : ""}) WHERE true` })
    const q = open([events, rewritten, allTime], dir)
    const st = await q.status("monthly_counts", "2023-01")
    expect(st.causes).toEqual([{ _tag: "CodeChanged", from: monthlyCounts.codeVersion, to: rewritten.codeVersion }])
    expect((await q.status("all_time")).causes).toEqual([{ _tag: "UpstreamStale", input: "monthly_counts", partition: "2023-01" }])
    expect(outcomeStates(await q.materialize("all_time"))).toEqual({ "monthly_counts[2023-01]": "succeeded", all_time: "skipped-fresh" })
  })

  it("names a dependency that was added", async () => {
    const p = open([events, monthlyCounts, allTime])
    await land(p, "2023-01", [1])
    await p.materialize("all_time")
    const dir = p.dir
    await p.runtime.dispose()
    project = undefined
    const extra = defineAsset({ key: "extra", schema: Schema.Struct({ x: Column.int }), sql: () => "SELECT 1::INTEGER AS x" })
    const widened = defineAsset({ key: "all_time", deps: { counts: monthlyCounts, extra }, schema: Counted, sql: allTime.compute._tag === "Sql" ? allTime.compute.sql : () => "", codeVersion: allTime.codeVersion })
    const q = open([events, monthlyCounts, extra, widened], dir)
    expect((await q.status("all_time")).causes).toContainEqual({ _tag: "DependencyAdded", input: "extra" })
  })

  it("is exact for an all-partitions input past a hundred partitions", async () => {
    const p = open([events, monthlyCounts, allTime])
    const keys = Array.from({ length: 150 }, (_, i) => fromMonthIndex(monthIndex("2011-01") + i))
    for (const k of keys) await land(p, k, [1])
    const first = await p.materialize("all_time", { concurrency: 2 })
    expect(first.outcomes.filter((o) => o.state === "succeeded").length).toBe(151)
    await land(p, keys[137]!, [2], "late.jsonl")
    const r = await p.resolver()
    const stale = r.statuses("monthly_counts" as AssetKey).filter((s) => s.status !== "FRESH")
    expect(stale.map((s) => s.partition)).toEqual([keys[137]])
    expect(r.status("all_time" as AssetKey, null).causes).toEqual([{ _tag: "UpstreamStale", input: "monthly_counts", partition: keys[137] }])
  })
})

const monthlyCountsOptions = { key: "monthly_counts", partitions: months, deps: { events }, schema: Counted }

describe("output contract, failures and concurrency", () => {
  it("fails a materialization whose output does not match its Schema, naming the column, and records nothing", async () => {
    const wrongType = defineAsset({ key: "wrong_type", schema: Schema.Struct({ id: Column.int, name: Column.text }), sql: () => "SELECT 1::BIGINT AS id, 'a' AS name" })
    const missing = defineAsset({ key: "missing_col", schema: Schema.Struct({ id: Column.int, name: Column.text }), sql: () => "SELECT 1::INTEGER AS id" })
    const badEnum = defineAsset({ key: "bad_enum", schema: Schema.Struct({ rating: Column.enum("G", "PG") }), sql: () => "SELECT 'X' AS rating" })
    const nulls = defineAsset({ key: "nulls", schema: Schema.Struct({ id: Column.int }), sql: () => "SELECT NULL::INTEGER AS id" })
    const p = open([wrongType, missing, badEnum, nulls])
    const result = await p.materialize("wrong_type,missing_col,bad_enum,nulls")
    const messages = Object.fromEntries(result.outcomes.map((o) => [o.task.id, `${o.state}: ${o.message}`]))
    expect(messages["wrong_type"]).toBe("failed: output of wrong_type does not match its schema: column 'id' has type BIGINT, expected INTEGER")
    expect(messages["missing_col"]).toContain("column 'name' is missing (expected VARCHAR)")
    expect(messages["bad_enum"]).toContain("column 'rating': 1 rows hold a value outside G, PG")
    expect(messages["nulls"]).toContain("column 'id': 1 rows are NULL")
    expect(result.status).toBe("FAILURE")
    expect(await p.run(Effect.flatMap(EventStore, (s) => s.currentMaterializations()))).toEqual([])
    expect(existsSync(join(p.dir, "lake", "curated", "wrong_type", "data.parquet"))).toBe(false)
  })

  it("abandons what is downstream of a failure and still runs independent partitions", async () => {
    const fragile = defineAsset({
      key: "monthly_counts",
      partitions: months,
      deps: { events },
      schema: Counted,
      sql: ({ inputs, partition }) =>
        partition === "2023-02"
          ? `SELECT error('February is broken') AS n, 0 AS total`
          : `SELECT count(*)::BIGINT AS n, 0::BIGINT AS total FROM ${inputs.events}`
    })
    const p = open([events, fragile, allTime])
    for (const m of ["2023-01", "2023-02", "2023-03"]) await land(p, m, [1])
    const result = await p.materialize("all_time")
    const states = outcomeStates(result)
    expect(states).toEqual({ "monthly_counts[2023-01]": "succeeded", "monthly_counts[2023-02]": "failed", "monthly_counts[2023-03]": "succeeded", all_time: "abandoned" })
    expect(result.outcomes.find((o) => o.state === "failed")!.message).toContain("February is broken")
    expect(result.outcomes.find((o) => o.state === "abandoned")!.message).toBe("upstream failed: monthly_counts[2023-02]")
  })

  it("never runs more asset partitions at once than the concurrency allows", async () => {
    const spans: Array<[number, number]> = []
    const slow = defineAsset({
      key: "slow",
      partitions: months,
      deps: { events },
      // landing CSV is text: the engine reads every CSV column as VARCHAR
      schema: Schema.Struct({ x: Column.text }),
      codeVersion: "1",
      compute: (ctx) =>
        Effect.gen(function* () {
          const start = Date.now()
          yield* Effect.sleep("60 millis")
          const lake = yield* Lake
          yield* lake.write(ctx.outputPath, Stream.make(enc.encode("x\n1\n")))
          spans.push([start, Date.now()])
        }),
      format: "csv",
      zone: "curated"
    })
    const p = open([events, slow])
    for (let i = 0; i < 8; i++) await land(p, fromMonthIndex(monthIndex("2023-01") + i), [1])
    const result = await p.materialize("slow", { concurrency: 3 })
    expect(result.outcomes.map((o) => `${o.state} ${o.message}`)).toEqual(Array(8).fill(expect.stringMatching(/^succeeded/)))
    const maxOverlap = Math.max(...spans.map(([s]) => spans.filter(([a, b]) => a <= s && s < b).length))
    expect(maxOverlap).toBeLessThanOrEqual(3)
    expect(maxOverlap).toBeGreaterThanOrEqual(2)
  })
})
