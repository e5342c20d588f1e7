import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import { afterAll, describe, expect, it } from "vitest"
import { describeCondition } from "sakila-assets"
import { deliveries, landingPath, TABLES, type Table } from "../examples/movalytics/assets/generate.js"
import { movalyticsAssets } from "../examples/movalytics/assets/pipeline.js"
import { cliRunner, printedJson } from "./support/cliRunner.js"
import { tempDir } from "./support/testProject.js"

// The Movalytics example end to end through the built CLI: deliveries merged by key, month after month.
const dir = tempDir("movalytics-")
const lake = join(dir, "lake")
const env = (extra: Record<string, string>) => ({
  ...process.env,
  ASSETS_CONFIG: resolve("examples/movalytics/assets.config.ts"),
  ASSETS_LAKE: lake,
  ASSETS_STATE_DIR: join(dir, "state"),
  ...extra
})
const { cli, ok } = cliRunner(env)
const json = printedJson
const upTo = (month: string) => ({ MOVALYTICS_DELIVERIES: ["2023-01", "2023-02", "2023-03"].filter((m) => m <= month).join(",") })
type Outcome = { asset: string; partition: string | null; state: string }
const succeeded = (out: string) => (json(out).outcomes as Array<Outcome>).filter((o) => o.state === "succeeded").map((o) => `${o.asset}[${o.partition}]`).sort()

/** The normalized tables, their key columns, and the delivery table each merges. */
const normalized: ReadonlyArray<{ table: string; key: ReadonlyArray<string>; from: Table }> = [
  { table: "movies", key: ["movie_id"], from: "movies_metadata" },
  { table: "ratings", key: ["user_id", "movie_id"], from: "ratings" },
  { table: "credits", key: ["movie_id"], from: "credits" },
  { table: "links", key: ["movie_id"], from: "links" },
  { table: "cpi", key: ["period"], from: "cpi" }
]

const rowsOf = async (table: string, month: string, file = "data") => {
  const db = await DuckDBInstance.create(":memory:")
  const c = await db.connect()
  try {
    await c.run("SET TimeZone = 'UTC'")
    const sub = file === "data" ? "" : `_${file}/`
    const r = await c.runAndReadAll(`SELECT * FROM read_parquet('${join(lake, "curated", table, sub, `year=${month.slice(0, 4)}`, `month=${month.slice(5, 7)}`, `${file}.parquet`)}', hive_partitioning = false)`)
    const names = r.columnNames()
    return r.getRowsJson().map((row) => Object.fromEntries(names.map((n, i) => [n, row[i] as unknown])))
  } finally {
    c.closeSync()
    db.closeSync()
  }
}
const byKey = (rows: ReadonlyArray<Record<string, unknown>>, key: ReadonlyArray<string>) => new Map(rows.map((r) => [key.map((k) => String(r[k])).join("|"), JSON.stringify(r)]))

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("the Movalytics example", () => {
  const generated = deliveries(11)

  it("lands the first delivery and loads every normalized table from it; the blocking checks pass", () => {
    const out = ok(["materialize", "*", "--json"], upTo("2023-01"))
    expect(succeeded(out)).toContain("ratings_by_cpi[2023-01]")
    const text = ok(["status", "--json"], upTo("2023-01"))
    for (const s of json(text) as Array<{ asset: string; status: string }>) expect(s.status, s.asset).toBe("FRESH")
  })

  it("a second delivery (10% changed, 5% new rows) updates exactly those rows, verified row by row", async () => {
    ok(["materialize", "*"], upTo("2023-02"))
    const second = generated[1]!
    for (const { table, key, from } of normalized) {
      const before = byKey(await rowsOf(table, "2023-01"), key)
      const after = byKey(await rowsOf(table, "2023-02"), key)
      const added = [...after.keys()].filter((k) => !before.has(k)).sort()
      const changed = [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k)).sort()
      const gone = [...before.keys()].filter((k) => !after.has(k))
      expect(added, `${table}: inserted`).toEqual([...second.added[from]].sort())
      expect(changed, `${table}: updated`).toEqual([...second.changed[from]].sort())
      expect(gone, `${table}: deleted`).toEqual([])
      const known = before.size
      expect(added.length, table).toBe(table === "cpi" ? 1 : Math.round(known * 0.05))
      expect(changed.length, table).toBe(Math.round(known * 0.1))
      // the merge says what it did, and the delivery re-sent as many unchanged rows as it changed
      const [counts] = await rowsOf(table, "2023-02", "merge")
      expect(counts).toEqual({ inserted: String(added.length), updated: String(changed.length), unchanged: String(changed.length), deleted: "0", kept: String(known - 2 * changed.length) })
    }
    // an updated row holds the delivered values
    const movies = byKey(await rowsOf("movies", "2023-02"), ["movie_id"])
    for (const id of second.changed.movies_metadata) {
      const sent = second.rows.movies_metadata.filter((r) => r["id"] === id).at(-1)!
      expect(JSON.parse(movies.get(id)!).vote_count, `movie ${id}`).toBe(Number(sent["vote_count"]))
    }
  })

  it("the same delivery landed again changes nothing: its staging runs, the merged tables and the report stay fresh", () => {
    for (const t of Object.keys(TABLES) as Array<Table>) {
      const file = join(lake, landingPath(t, "2023-02"))
      const bytes = readFileSync(file)
      rmSync(file)
      writeFileSync(file, bytes)
    }
    const stale = json(ok(["status", "stg_movies_metadata", "--json"], upTo("2023-02")))[0]
    expect(stale.status).toBe("STALE")
    const steps = succeeded(ok(["materialize", "*", "--json"], upTo("2023-02")))
    expect(steps).toEqual(Object.keys(TABLES).map((t) => `stg_${t}[2023-02]`).sort())
    for (const s of json(ok(["status", "--json"], upTo("2023-02"))) as Array<{ asset: string; status: string }>) expect(s.status, s.asset).toBe("FRESH")
    // merging it once more by force writes the same rows: the same data version, so the report stays fresh
    const forced = json(ok(["materialize", "movies", "--partition", "2023-02", "--force", "--json"], upTo("2023-02")))
    expect((forced.outcomes as Array<Outcome>).filter((o) => o.state === "succeeded").map((o) => o.asset)).toEqual(["movies"])
    const report = json(ok(["status", "ratings_by_cpi,movies", "--json"], upTo("2023-02"))) as Array<{ status: string }>
    expect(report.map((s) => s.status)).toEqual(["FRESH", "FRESH"])
  })

  it("a movie leaves only when a delivery flags it deleted", async () => {
    ok(["materialize", "*"], upTo("2023-03"))
    const third = generated[2]!
    expect(third.deleted).toHaveLength(3)
    const before = byKey(await rowsOf("movies", "2023-02"), ["movie_id"])
    const after = byKey(await rowsOf("movies", "2023-03"), ["movie_id"])
    for (const id of third.deleted) {
      expect(before.has(id)).toBe(true)
      expect(after.has(id)).toBe(false)
    }
    expect([...before.keys()].filter((k) => !after.has(k)).sort()).toEqual([...third.deleted].sort())
    // a delivery that does not mention a movie keeps it: every other movie of February is still there
    expect(after.size).toBe(before.size - 3 + third.added.movies_metadata.length)
  })

  it("joins ratings with the CPI by month in the report", async () => {
    const report = await rowsOf("ratings_by_cpi", "2023-03")
    const ratings = await rowsOf("ratings", "2023-03")
    const cpi = new Map((await rowsOf("cpi", "2023-03")).map((r) => [String(r["period"]), Number(r["cpi"])]))
    expect(report).toHaveLength(12)
    for (const row of report) {
      const month = String(row["rating_month"])
      const mine = ratings.filter((r) => String(r["rated_at"]).startsWith(month))
      expect(Number(row["ratings"]), month).toBe(mine.length)
      expect(Number(row["cpi"]), month).toBe(cpi.get(month))
      expect(Number(row["average_rating"])).toBeCloseTo(mine.reduce((s, r) => s + Number(r["rating"]), 0) / mine.length, 4)
    }
  })

  it("a delivery with a NULL id fails its blocking check: nothing of it is published, the month shows FAILED", () => {
    const file = join(lake, landingPath("links", "2023-04"))
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, "movieId,imdbId,tmdbId\n,1234,5678\n9001,1235,5679\n")
    const r = cli(["materialize", "links", "--partition", "2023-04"], upTo("2023-03"))
    expect(r.status).toBe(1)
    expect(`${r.stdout}${r.stderr}`).toContain("no_null_ids")
    // the delivery is checked before it merges: neither it nor a merge of it is published
    expect(existsSync(join(lake, "clean", "stg_links", "year=2023", "month=04", "data.csv"))).toBe(false)
    expect(existsSync(join(lake, "curated", "links", "year=2023", "month=04", "data.parquet"))).toBe(false)
    const status = json(ok(["status", "stg_links", "--json"], upTo("2023-03")))[0] as { partitions: Array<{ partition: string; status: string; checks: Array<{ check: string; status: string }> }> }
    const april = status.partitions.find((p) => p.partition === "2023-04")!
    expect(april.status).toBe("FAILED")
    expect(april.checks.map((c) => `${c.check} ${c.status}`)).toContain("no_null_ids FAILED")
  })

  it("runs daily under the daemon: every asset's condition is the 06:00 cron", () => {
    for (const a of movalyticsAssets) if (a._tag === "Asset") expect(describeCondition(a.automation!), a.key).toContain("0 6 * * *")
  })
})
