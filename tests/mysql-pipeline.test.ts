import { readFileSync } from "node:fs"
import { join } from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import { ConfigProvider, Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { materialize } from "../runtime/execute/materialize.js"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { describeCause } from "../runtime/status/Cause.js"
import { mysqlProject, type MysqlProject } from "./support/mysqlProject.js"
import { createSakilaDatabase, mysqlAvailability, onDatabase, type SakilaDatabase } from "./support/sakilaDatabase.js"

const mysql = await mysqlAvailability()
const months = ["2023-01", "2023-02", "2023-03"]
const reports = "category_report,state_report,category_state_report"

const duck = async (sql: string): Promise<Array<Record<string, unknown>>> => {
  const db = await DuckDBInstance.create(":memory:")
  const c = await db.connect()
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, unknown>>
  } finally {
    c.closeSync()
    db.closeSync()
  }
}

const categoryStreams = async (lake: string) =>
  Object.fromEntries(
    (await duck(`SELECT category_name, streams::INTEGER AS streams FROM '${lake}/curated/category_report/data.parquet'`)).map((r) => [
      r["category_name"] as string,
      r["streams"] as number
    ])
  )

describe.skipIf(!mysql.ok)("the Sakila pipeline reading the real Sakila from MariaDB", () => {
  let db: SakilaDatabase
  let p: MysqlProject

  beforeAll(async () => {
    db = await createSakilaDatabase()
    p = mysqlProject({ url: db.url })
  })
  afterAll(async () => {
    await p?.dispose()
    await db?.drop()
  })

  it("materializes everything from MySQL: film_category has the 1000 real films with their real categories", async () => {
    const result = await p.materialize(reports)
    expect(result.status).toBe("SUCCESS")
    const ids = result.outcomes.map((o) => o.task.id)
    for (const m of months) expect(ids).toContain(`streaming_films[${m}]`)

    const rows = await duck(`SELECT film_id, title, category_name, language, rating, special_features FROM '${p.lake}/curated/film_category/data.parquet' ORDER BY film_id`)
    expect(rows.length).toBe(1000)
    expect(rows[0]).toEqual({
      film_id: 1,
      title: "ACADEMY DINOSAUR",
      category_name: "Documentary",
      language: "English",
      rating: "PG",
      special_features: ["Deleted Scenes", "Behind the Scenes"]
    })
    expect(rows[999]).toMatchObject({ film_id: 1000, title: "ZORRO ARK", category_name: "Comedy" })
    const perCategory = await duck(`SELECT count(DISTINCT category_name)::INTEGER AS n FROM '${p.lake}/curated/film_category/data.parquet'`)
    expect(perCategory[0]!["n"]).toBe(16)

    // the landing CSV has the generated source's value shapes: DECIMAL as written, UTC timestamps, SET joined
    const csv = readFileSync(join(p.lake, "landing/raw_film/data.csv"), "utf8").split("\n")
    expect(csv[0]).toBe(
      "film_id,title,description,release_year,language_id,original_language_id,rental_duration,rental_rate,length,replacement_cost,rating,special_features,last_update"
    )
    expect(csv[1]).toBe(
      '1,ACADEMY DINOSAUR,A Epic Drama of a Feminist And a Mad Scientist who must Battle a Teacher in The Canadian Rockies,2006,1,,6,0.99,86,20.99,PG,"Deleted Scenes,Behind the Scenes",2006-02-15 05:03:42'
    )
    const rawFilm = result.outcomes.find((o) => o.task.id === "raw_film")!
    console.log(`raw_film from MySQL (1000 rows, extract + CSV + checks): ${rawFilm.durationMs} ms`)

    const again = await p.materialize(reports)
    expect(again.plan.tasks).toEqual([])
  })

  it("a film moved to another category in MySQL makes its path stale, naming the source; re-materializing moves its streams", async () => {
    const before = await categoryStreams(p.lake)
    const film1Streams = (
      await duck(`SELECT count(*)::INTEGER AS n FROM '${p.lake}/curated/streaming_films/*/*/data.parquet' WHERE film_id = 1`)
    )[0]!["n"] as number
    expect(film1Streams).toBeGreaterThan(0)

    // Documentary (6) -> Action (1)
    await onDatabase(db.name, (c) => c.query("UPDATE film_category SET category_id = 1 WHERE film_id = 1"))

    const r = await p.resolver()
    const st = (k: string, m: string | null = null) => r.status(k as AssetKey, m as PartitionKey | null)
    const raw = st("raw_film_category")
    expect(raw.status).toBe("STALE")
    expect(raw.causes.map(describeCause).join("; ")).toMatch(/source sakila_film_category changed/)
    for (const k of ["clean_film_category", "film_category", "category_report", "state_report", "category_state_report"]) {
      expect([k, st(k).status]).toEqual([k, "STALE"])
    }
    for (const m of months) expect([m, st("streaming_films", m).status]).toEqual([m, "STALE"])
    for (const k of ["raw_language", "raw_film", "raw_category", "clean_film", "streaming_partitions"]) {
      const partition = k === "streaming_partitions" ? "2023-02" : null
      expect([k, st(k, partition).status]).toEqual([k, "FRESH"])
    }

    const result = await p.materialize(reports)
    expect(result.status).toBe("SUCCESS")
    const ran = result.outcomes.map((o) => o.task.id)
    expect(ran).toContain("raw_film_category")
    expect(ran).not.toContain("raw_language")
    expect(ran).not.toContain("raw_film")

    const after = await categoryStreams(p.lake)
    expect(after["Documentary"]).toBe(before["Documentary"]! - film1Streams)
    expect(after["Action"]).toBe(before["Action"]! + film1Streams)
    const moved = await duck(`SELECT category_name FROM '${p.lake}/curated/film_category/data.parquet' WHERE film_id = 1`)
    expect(moved).toEqual([{ category_name: "Action" }])
  })

  it("extracts film incrementally by last_update, and a full reload yields the same table", async () => {
    const addFilm = (title: string) =>
      `INSERT INTO film (title, description, release_year, language_id, rental_duration, rental_rate, length, replacement_cost, rating, special_features)
       VALUES ('${title}', 'A test film, with "quotes", and a comma', 2006, 2, 3, 1.99, 95, 14.99, 'R', 'Trailers')`
    await onDatabase(db.name, async (c) => {
      await c.query(addFilm("ZZYZX ROAD"))
      await c.query("UPDATE film SET rental_rate = 3.99 WHERE film_id = 2")
    })
    p.extractions.length = 0
    expect((await p.materialize("raw_film")).status).toBe("SUCCESS")
    // the dump gives every film the same last_update, so this first resume (inclusive) reads them all again
    expect(p.extractions).toEqual([{ table: "film", since: new Date("2006-02-15T05:03:42Z"), rows: 1001 }])
    const [[{ t1 }]] = (await onDatabase(db.name, (c) => c.query("SELECT MAX(last_update) AS t1 FROM film"))) as unknown as [[{ t1: Date }]]

    // a later second: only the rows written since the landed maximum are read
    await new Promise((r) => setTimeout(r, 1100))
    await onDatabase(db.name, async (c) => {
      await c.query(addFilm("ZZYZX RETURNS"))
      await c.query("UPDATE film SET length = 200 WHERE film_id = 3")
    })
    p.extractions.length = 0
    const incremental = await p.materialize("raw_film")
    expect(incremental.status).toBe("SUCCESS")
    expect(p.extractions).toEqual([{ table: "film", since: t1, rows: 4 }])

    const csv = `read_csv('${p.lake}/landing/raw_film/data.csv', header = true, all_varchar = true)`
    expect(await duck(`SELECT count(*)::INTEGER AS n, count(DISTINCT film_id)::INTEGER AS ids FROM ${csv}`)).toEqual([{ n: 1002, ids: 1002 }])
    expect(await duck(`SELECT film_id, title, description, rental_rate, length FROM ${csv} WHERE film_id IN ('2', '3', '1001', '1002') ORDER BY film_id`)).toEqual([
      { film_id: "1001", title: "ZZYZX ROAD", description: 'A test film, with "quotes", and a comma', rental_rate: "1.99", length: "95" },
      { film_id: "1002", title: "ZZYZX RETURNS", description: 'A test film, with "quotes", and a comma', rental_rate: "1.99", length: "95" },
      { film_id: "2", title: "ACE GOLDFINGER", description: expect.any(String), rental_rate: "3.99", length: "48" },
      { film_id: "3", title: "ADAPTATION HOLES", description: expect.any(String), rental_rate: "2.99", length: "200" }
    ])

    p.extractions.length = 0
    const full = await p.run(
      materialize({ selection: "raw_film", force: true }).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["SAKILA_FULL_RELOAD", "true"]]))))
    )
    expect(p.extractions).toEqual([{ table: "film", since: undefined, rows: 1002 }])
    const [a, b] = [incremental.outcomes[0]!.materialization!, full.outcomes[0]!.materialization!]
    expect(b.rowCount).toBe(1002)
    expect(b.dataVersion).toBe(a.dataVersion)
  })
})
