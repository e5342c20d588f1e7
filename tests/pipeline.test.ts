import { join } from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { filmCategory } from "../assets/film_category.js"
import { sakilaAssets } from "../assets/index.js"
import { defineAsset } from "../runtime/asset/Asset.js"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { appendEvents } from "../assets/generated/simulateStreams.js"
import { landStreams } from "../assets/feed/landStreams.js"
import { outcomeStates, testProject, type TestProject } from "./support/testProject.js"

const reports = "category_report,state_report,category_state_report"
const months = ["2023-01", "2023-02", "2023-03"]

const duck = async (sql: string) => {
  const db = await DuckDBInstance.create(":memory:")
  const c = await db.connect()
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJson()
  } finally {
    c.closeSync()
    db.closeSync()
  }
}

describe("the Sakila pipeline on the embedded default", () => {
  let p: TestProject
  let lake: string

  beforeAll(async () => {
    p = testProject({ assets: sakilaAssets })
    lake = join(p.dir, "lake")
  })
  afterAll(() => p.dispose())

  it("materializes everything upstream of the reports, then finds it all fresh", async () => {
    const first = await p.materialize(reports)
    expect(first.status).toBe("SUCCESS")
    const states = outcomeStates(first)
    for (const m of months) {
      expect(states[`streaming_checked[${m}]`]).toBe("succeeded")
      expect(states[`streaming_partitions[${m}]`]).toBe("succeeded")
      expect(states[`streaming_films[${m}]`]).toBe("succeeded")
      expect(states[`streaming_counts[${m}]`]).toBe("succeeded")
    }
    expect(states["film_category"]).toBe("succeeded")
    expect(states["category_report"]).toBe("succeeded")

    const second = await p.materialize(reports)
    expect(second.plan.tasks).toEqual([])
    expect(second.outcomes).toEqual([])
    expect(second.plan.fresh.length).toBe(first.outcomes.length)
  })

  it("reports exactly what plain DuckDB SQL counts over the landing JSON and the raw CSV", async () => {
    const valid = `
      WITH ev AS (
        SELECT * FROM read_json('${lake}/landing/streaming/*/*/*.jsonl', format = 'newline_delimited', ignore_errors = true,
          columns = {timestamp: 'VARCHAR', eventType: 'VARCHAR', film_id: 'VARCHAR', distributor: 'VARCHAR', platform: 'VARCHAR', state: 'VARCHAR'})
      )
      SELECT ev.timestamp, ev.eventType, ev.state, c.name AS category
      FROM ev
      JOIN read_csv('${lake}/landing/raw_film_category/data.csv', header = true) fc ON fc.film_id = TRY_CAST(ev.film_id AS INTEGER)
      JOIN read_csv('${lake}/landing/raw_category/data.csv', header = true) c ON c.category_id = fc.category_id
      WHERE eventType IN ('rent', 'buy', 'trailer') AND TRY_CAST(ev.film_id AS INTEGER) BETWEEN 1 AND 1000
        AND timestamp IS NOT NULL AND distributor IS NOT NULL AND platform IS NOT NULL AND state IS NOT NULL`
    const expectedCategories = await duck(
      `SELECT category AS category_name, count(*)::INTEGER AS streams, count(*) FILTER (WHERE eventType = 'rent')::INTEGER AS rent,
              count(*) FILTER (WHERE eventType = 'buy')::INTEGER AS buy, count(*) FILTER (WHERE eventType = 'trailer')::INTEGER AS trailer
       FROM (${valid}) GROUP BY 1 ORDER BY 1`
    )
    const expectedStates = await duck(
      `SELECT state, count(*)::INTEGER AS streams FROM (${valid}) GROUP BY 1 ORDER BY 1`
    )
    const actualCategories = await duck(
      `SELECT category_name, streams::INTEGER AS streams, rent::INTEGER AS rent, buy::INTEGER AS buy, trailer::INTEGER AS trailer
       FROM '${lake}/curated/category_report/data.parquet' ORDER BY 1`
    )
    const actualStates = await duck(`SELECT state, streams::INTEGER AS streams FROM '${lake}/curated/state_report/data.parquet' ORDER BY 1`)
    expect(expectedCategories.length).toBe(16)
    expect(actualCategories).toEqual(expectedCategories)
    expect(expectedStates.length).toBe(50)
    expect(actualStates).toEqual(expectedStates)
    const total = expectedCategories.reduce((n, r) => n + Number(r["streams"]), 0)
    expect(total).toBeGreaterThan(5500)
  })

  it("keeps malformed lines with their reason and counts them", async () => {
    const rejected = await duck(
      `SELECT reason, count(*)::INTEGER AS n FROM read_parquet('${lake}/curated/streaming_partitions/_rejected/*/*/*.parquet') GROUP BY 1 ORDER BY 1`
    )
    const reasons = rejected.map((r) => String(r["reason"]))
    expect(reasons).toContain("invalid JSON")
    expect(reasons).toContain("missing field: state")
    expect(reasons).toContain("unknown eventType: stream")
    expect(reasons.some((r) => r.startsWith("film_id out of range"))).toBe(true)

    // every landed line is either a stream in some month or a rejected line: nothing dropped
    const [{ lines }] = (await duck(
      `SELECT count(*)::INTEGER AS lines FROM read_csv('${lake}/landing/streaming/*/*/*.jsonl', columns = {'l': 'VARCHAR'}, delim = '\x01', quote = '', escape = '', header = false)`
    )) as [{ lines: number }]
    const [{ streams }] = (await duck(
      `SELECT count(*)::INTEGER AS streams FROM read_parquet('${lake}/curated/streaming_partitions/*/*/*.parquet')`
    )) as [{ streams: number }]
    const rejectedCount = rejected.reduce((n, r) => n + Number(r["n"]), 0)
    expect(streams + rejectedCount).toBe(lines)

    const counted = await p.run(
      Effect.flatMap(EventStore, (s) => s.currentMaterializations(["streaming_partitions" as AssetKey]))
    )
    expect(counted.reduce((n, m) => n + Number(m.metadata["rejected_rows"]), 0)).toBe(rejectedCount)
  })

  it("appending events to one month makes that month (and, through the lateness window, the month before) stale; only that month flows downstream", async () => {
    const before = await p.resolver()
    const oldJan = before.state.materialization("streaming_partitions" as AssetKey, "2023-01" as never)!
    await p.run(landStreams([appendEvents({ seed: 99, month: "2023-02", count: 500 })]))

    const r = await p.resolver()
    const st = (k: string, m: string | null = null) => r.status(k as AssetKey, m as never)
    // February's lines are checked again, once; the months that read them follow
    expect(st("streaming_checked", "2023-02").status).toBe("STALE")
    expect(st("streaming_checked", "2023-02").causes).toContainEqual(expect.objectContaining({ _tag: "InputChanged", input: "streaming_landing", partition: "2023-02", source: true }))
    expect(st("streaming_checked", "2023-01").status).toBe("FRESH")
    expect(st("streaming_checked", "2023-03").status).toBe("FRESH")
    expect(st("streaming_partitions", "2023-02").status).toBe("STALE")
    expect(st("streaming_partitions", "2023-02").causes).toContainEqual({ _tag: "UpstreamStale", input: "streaming_checked", partition: "2023-02" })
    // January reads February's arrival month for late events, so it must be looked at again
    expect(st("streaming_partitions", "2023-01").status).toBe("STALE")
    expect(st("streaming_partitions", "2023-03").status).toBe("FRESH")
    expect(st("streaming_films", "2023-02").status).toBe("STALE")
    expect(st("streaming_films", "2023-03").status).toBe("FRESH")
    expect(st("streaming_counts", "2023-02").status).toBe("STALE")
    expect(st("streaming_counts", "2023-03").status).toBe("FRESH")
    expect(st("category_report").status).toBe("STALE")
    expect(st("film_category").status).toBe("FRESH")
    expect(st("clean_film").status).toBe("FRESH")

    const again = await p.materialize(reports)
    const states = outcomeStates(again)
    expect(states["streaming_partitions[2023-02]"]).toBe("succeeded")
    expect(states["streaming_films[2023-02]"]).toBe("succeeded")
    // January's content did not change: same data version, and its streaming_films month stays untouched
    expect(states["streaming_partitions[2023-01]"]).toBe("succeeded")
    const after = await p.resolver()
    expect(after.state.materialization("streaming_partitions" as AssetKey, "2023-01" as never)!.dataVersion).toBe(oldJan.dataVersion)
    expect(states["streaming_films[2023-01]"] ?? "not planned").toMatch(/skipped-fresh|not planned/)
    expect(Object.keys(states).filter((k) => k.includes("2023-03"))).toEqual([])
    expect(Object.keys(states).filter((k) => states[k] === "succeeded").sort()).toEqual(
      ["category_report", "category_state_report", "state_report", "streaming_checked[2023-02]", "streaming_counts[2023-02]", "streaming_films[2023-02]", "streaming_partitions[2023-01]", "streaming_partitions[2023-02]"].sort()
    )
    const feb = after.state.materialization("streaming_films" as AssetKey, "2023-02" as never)!
    expect(feb.rowCount).toBe(before.state.materialization("streaming_films" as AssetKey, "2023-02" as never)!.rowCount + 500)
  })

  it("changing film_category's SQL makes every streaming_films month and the reports stale, nothing upstream; identical output leaves them fresh", async () => {
    const changed = defineAsset({
      key: "film_category",
      group: "curated",
      deps: filmCategory.deps,
      schema: filmCategory.schema,
      // same rows, different SQL: a code change that does not change the data
      sql: (ctx) => `SELECT * FROM (${filmCategory.compute._tag === "Sql" ? filmCategory.compute.sql(ctx) : ""}) WHERE film_id > 0`
    })
    expect(changed.codeVersion).not.toBe(filmCategory.codeVersion)
    const assets = sakilaAssets.map((a) => (a.key === "film_category" ? changed : a))
    const q = testProject({ assets, dir: p.dir })
    try {
      const r = await q.resolver()
      const st = (k: string, m: string | null = null) => r.status(k as AssetKey, m as never)
      expect(st("film_category").status).toBe("STALE")
      expect(st("film_category").causes).toEqual([{ _tag: "CodeChanged", from: filmCategory.codeVersion, to: changed.codeVersion }])
      for (const m of months) {
        expect(st("streaming_films", m).status).toBe("STALE")
        expect(st("streaming_films", m).causes).toContainEqual({ _tag: "UpstreamStale", input: "film_category", partition: null })
        expect(st("streaming_partitions", m).status).toBe("FRESH")
      }
      expect(st("category_report").status).toBe("STALE")
      for (const k of ["clean_film", "clean_category", "clean_film_category", "clean_language", "raw_film"]) expect(st(k).status).toBe("FRESH")

      const result = await q.materialize(reports)
      const states = outcomeStates(result)
      expect(states["film_category"]).toBe("succeeded")
      for (const m of months) expect(states[`streaming_films[${m}]`]).toBe("skipped-fresh")
      expect(states["category_report"]).toBe("skipped-fresh")
      expect((await q.resolver()).status("category_report" as AssetKey, null).status).toBe("FRESH")
    } finally {
      await q.dispose(false)
    }
  })
})
