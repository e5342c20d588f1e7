/**
 * The Sakila pipeline's checks (assets/checks.ts) on the embedded resources: a catalogue of 950 films (the generated
 * source without films 951..1000) and partner events landed by hand, so a month can be poisoned on purpose.
 */
import { rmSync } from "node:fs"
import { join } from "node:path"
import { Effect, Layer, ManagedRuntime, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sakilaAssets } from "../assets/index.js"
import { landingPrefix } from "../assets/StreamingFeed.js"
import * as GeneratedSakila from "../assets/generated/GeneratedSakila.js"
import { SakilaSource } from "../assets/SakilaSource.js"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { loadCheckStates } from "../runtime/checks/checkStates.js"
import { CheckStore } from "../runtime/checks/CheckStore.js"
import { Engine } from "../runtime/engine/Engine.js"
import { loadState, materialize } from "../runtime/execute/materialize.js"
import { Lake } from "../runtime/lake/Lake.js"
import { defineProject, projectLayer } from "../runtime/project/Project.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import * as DuckDB from "../resources/duckdb/DuckDB.js"
import * as DuckDBEngine from "../resources/duckdb/DuckDBEngine.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import * as LocalLake from "../resources/lake-fs/LocalLake.js"
import { tempDir } from "./support/testProject.js"

const CATALOGUE = 950

/** The generated Sakila without its last 50 films: their ids are valid (1..1000) but in no catalogue. */
const smallerCatalogue = Layer.sync(SakilaSource, () => {
  const full = GeneratedSakila.make(42)
  return SakilaSource.of({
    ...full,
    extract: (table, options) =>
      table === "film" || table === "film_category" ? Stream.filter(full.extract(table, options), (row) => Number(row[0]) <= CATALOGUE) : full.extract(table, options)
  })
})

const event = (month: string, i: number, filmId: number) =>
  JSON.stringify({
    timestamp: `${month}-${String(1 + (i % 27)).padStart(2, "0")}T${String(i % 24).padStart(2, "0")}:15:00Z`,
    eventType: ["rent", "buy", "trailer"][i % 3],
    film_id: filmId,
    distributor: "Sakila Pictures",
    platform: "web",
    state: ["CA", "NY", "TX"][i % 3]
  })

const land = (month: string, file: string, lines: ReadonlyArray<string>) =>
  Effect.flatMap(Lake, (lake) => lake.write(`${landingPrefix(month)}${file}`, new TextEncoder().encode(lines.join("\n") + "\n")))

const good = (month: string, n: number, offset = 0) => Array.from({ length: n }, (_, i) => event(month, i + offset, 1 + ((i + offset) * 37) % CATALOGUE))

describe("the Sakila checks", () => {
  const dir = tempDir("checks-sakila-")
  const layer = Layer.mergeAll(
    DuckDBEngine.layer.pipe(Layer.provide(DuckDB.layer({ threads: 2 }))),
    SqliteEventStore.layer(join(dir, "state", "events.sqlite")),
    smallerCatalogue
  ).pipe(Layer.provideMerge(LocalLake.layer(join(dir, "lake"))))
  const project = defineProject({ name: "sakila", assets: sakilaAssets, layer })
  const runtime = ManagedRuntime.make(Layer.mergeAll(project.layer, projectLayer(project)))
  const run = <A, E>(e: Effect.Effect<A, E, ManagedRuntime.ManagedRuntime.Context<typeof runtime>>) => runtime.runPromise(e)
  const key = (k: string) => k as AssetKey
  let reportBefore: string

  beforeAll(async () => {
    await run(Effect.all([land("2023-01", "p1.jsonl", good("2023-01", 60)), land("2023-02", "p1.jsonl", good("2023-02", 60)), land("2023-03", "p1.jsonl", good("2023-03", 60))]))
    const first = await run(materialize({ selection: "category_report" }))
    expect(first.status, first.outcomes.filter((o) => o.state !== "succeeded").map((o) => `${o.task.id}: ${o.message}`).join("\n")).toBe("SUCCESS")
    reportBefore = first.outcomes.find((o) => o.task.id === "category_report")!.materialization!.id
  }, 120_000)
  afterAll(async () => {
    await runtime.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it("runs the Movalytics rule on every clean table, one row per film on film_category, the catalogue check on every month", async () => {
    const latest = await run(Effect.flatMap(CheckStore, (s) => s.latest(sakilaAssets.map((a) => a.key))))
    const names = (asset: string) => [...new Set(latest.filter((r) => r.asset === asset).map((r) => r.check))].sort()
    for (const table of ["clean_film", "clean_category", "clean_film_category", "clean_language"]) expect(names(table)).toContain("more_than_one_row")
    expect(names("clean_film")).toEqual(["more_than_one_row", "not_null_film_id"])
    expect(names("clean_film_category")).toEqual(["more_than_one_row", "not_null_film_id_category_id"])
    expect(names("film_category")).toEqual(["one_row_per_film", "unique_film_id"])
    expect(names("streaming_films")).toEqual(["film_id_in_film_category"])
    expect(names("streaming_partitions")).toEqual(["rejected_under_1pct", "rejected_under_20pct", "rows_at_least_half_of_previous_month"])
    expect(latest.filter((r) => r.asset === "streaming_films").map((r) => r.partition).sort()).toEqual(["2023-01", "2023-02", "2023-03"])
    expect(latest.filter((r) => r.status !== "PASSED").map((r) => `${r.asset}[${r.partition}] ${r.check}: ${r.message}`)).toEqual([])
  })

  it("a poisoned month (film ids not in the catalogue) fails the relationships check: the month stays as it was and the report is not updated from it", async () => {
    await run(
      Effect.all([
        land("2023-02", "p2-poisoned.jsonl", Array.from({ length: 12 }, (_, i) => event("2023-02", i, CATALOGUE + 1 + i))),
        land("2023-03", "p2.jsonl", good("2023-03", 20, 100))
      ])
    )
    const filmsBefore = (await run(loadState(project.graph, [key("streaming_films")]))).materialization(key("streaming_films"), "2023-02" as PartitionKey)!.id
    const result = await run(materialize({ selection: "category_report" }))
    const byId = Object.fromEntries(result.outcomes.map((o) => [o.task.id, o]))
    // the events are well formed: streaming_partitions takes them; the catalogue check on streaming_films does not
    expect(byId["streaming_partitions[2023-02]"]!.state).toBe("succeeded")
    expect(byId["streaming_films[2023-03]"]!.state).toBe("succeeded")
    const poisoned = byId["streaming_films[2023-02]"]!
    expect(poisoned.state).toBe("failed")
    expect(poisoned.message).toMatch(/^check film_id_in_film_category failed on streaming_films\[2023-02\]: 12 failing rows, e.g. \{.*"film_id":95\d/)
    expect(byId["category_report"]!.state).toBe("abandoned")
    expect(byId["category_report"]!.message).toBe("upstream failed: streaming_films[2023-02] (check film_id_in_film_category failed)")
    expect(result.status).toBe("FAILURE")

    const state = await run(loadState(project.graph, [key("category_report")]))
    expect(state.materialization(key("streaming_films"), "2023-02" as PartitionKey)!.id).toBe(filmsBefore)
    expect(state.materialization(key("category_report"), null)!.id).toBe(reportBefore)
    // the published report still counts the first 180 streams, none of the poisoned month's
    const [total] = await run(
      Effect.flatMap(Engine, (e) =>
        e.query(`SELECT CAST(sum(streams) AS INTEGER) AS n FROM ${e.relation({ format: "parquet", paths: ["curated/category_report/data.parquet"], columns: undefined })}`)
      )
    )
    expect(Number(total!["n"])).toBe(180)

    const shown = await run(loadCheckStates(project.graph, [key("streaming_films")]))
    const failing = shown.failing.get("streaming_films\u00002023-02")!
    expect(failing).toHaveLength(1)
    expect(failing[0]).toMatchObject({ check: "film_id_in_film_category", status: "FAILED", failingRows: 12, blocking: true })
  }, 120_000)

  it("a month with over 20% of its lines rejected is not published; over 1% warns", async () => {
    const lines = [...good("2023-04", 30), ...Array.from({ length: 10 }, (_, i) => `{"not an event": ${i}`)]
    await run(land("2023-04", "p1.jsonl", lines))
    const result = await run(materialize({ selection: "streaming_films", range: { from: "2023-04", to: "2023-04" } }))
    const april = result.outcomes.find((o) => o.task.id === "streaming_partitions[2023-04]")!
    expect(april.state).toBe("failed")
    expect(april.message).toContain("check rejected_under_20pct failed on streaming_partitions[2023-04]: 10 of 40 lines rejected: 25.00%")
    expect(april.checks.find((r) => r.check === "rejected_under_1pct")).toMatchObject({ status: "WARNED", blocking: false })
    // 30 events after 80 in March: under half, a warning
    expect(april.checks.find((r) => r.check === "rows_at_least_half_of_previous_month")).toMatchObject({ status: "WARNED", metadata: { previousRows: 80, previousPartition: "2023-03" } })
    expect(result.outcomes.find((o) => o.task.id === "streaming_films[2023-04]")!.message).toBe(
      "upstream failed: streaming_partitions[2023-04] (check rejected_under_20pct failed)"
    )
  }, 120_000)
})
