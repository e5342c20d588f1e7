import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import Database from "better-sqlite3"
import { DuckDBInstance } from "@duckdb/node-api"
import { unzipSync } from "fflate"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DST_EDGES, SALE_COLUMNS } from "../examples/funflix/assets/generate.js"
import { createEmptyDatabase, dropDatabase, mysqlAvailability, mysqlUrl, type SakilaDatabase } from "./support/sakilaDatabase.js"
import { cliRunner, printedJson } from "./support/cliRunner.js"
import { tempDir } from "./support/testProject.js"

// The Funflix example end to end through the built CLI, on the embedded default (and Europe's table on MariaDB):
// every view's answer against an independent computation in plain DuckDB SQL over the generated files.
const dir = tempDir("funflix-")
const lake = join(dir, "lake")
const env = (extra: Record<string, string> = {}) => ({
  ...process.env,
  ASSETS_CONFIG: resolve("examples/funflix/assets.config.ts"),
  ASSETS_LAKE: lake,
  ASSETS_STATE_DIR: join(dir, "state"),
  FUNFLIX_EUROPE_DB: join(dir, "europe_sales.sqlite"),
  ...extra
})
const { cli, ok } = cliRunner(env)
const json = printedJson

/** Rows as sorted JSON lines, numbers rounded: two answers compare equal whatever their order and float noise. */
const canonical = (rows: ReadonlyArray<Record<string, unknown>>) =>
  rows
    .map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "number" ? Math.round(v * 100) / 100 : typeof v === "bigint" ? Number(v) : v === null ? null : String(v)]))))
    .sort()

const query = async (file: string, sql: string) => {
  const db = await DuckDBInstance.create(file, file === ":memory:" ? {} : { access_mode: "READ_ONLY" })
  const c = await db.connect()
  try {
    await c.run("SET TimeZone = 'UTC'")
    const r = await c.runAndReadAll(sql)
    const names = r.columnNames()
    return r.getRowsJson().map((row) => Object.fromEntries(names.map((n, i) => [n, row[i] as unknown])))
  } finally {
    c.closeSync()
    db.closeSync()
  }
}
const numbers = (rows: ReadonlyArray<Record<string, unknown>>) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v])))

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("the Funflix example", () => {
  // the generated inputs, as plain files DuckDB reads without the framework: both regions' sales as one CSV
  const salesCsv = join(dir, "independent-sales.csv")
  const clinic = (name: string) => `read_csv('${join(lake, "landing", "clinic", name)}', header = true)`

  beforeAll(() => {
    const out = ok(["materialize", "*"])
    expect(out).toContain("0 failed")
    const americas = join(lake, "landing", "sales", "americas")
    const lines: Array<string> = [`${SALE_COLUMNS.join(",")},location`]
    for (const year of readdirSync(americas)) {
      for (const month of readdirSync(join(americas, year))) {
        for (const f of readdirSync(join(americas, year, month))) {
          const csv = new TextDecoder().decode(unzipSync(readFileSync(join(americas, year, month, f)))["sales.csv"]!)
          lines.push(...csv.trim().split("\n").slice(1).map((l) => `${l},americas`))
        }
      }
    }
    const europe = new Database(join(dir, "europe_sales.sqlite"), { readonly: true })
    for (const r of europe.prepare(`SELECT ${SALE_COLUMNS.join(", ")} FROM europe_sales`).all() as Array<Record<string, unknown>>) {
      lines.push(`${SALE_COLUMNS.map((c) => String(r[c])).join(",")},europe`)
    }
    europe.close()
    writeFileSync(salesCsv, `${lines.join("\n")}\n`)
  })

  it("a second run finds everything fresh", () => {
    expect(ok(["materialize", "*"])).toContain("Everything is fresh")
  })

  it("types the hand-kept files and keeps their bad lines with a reason", () => {
    const rejected = (asset: string) => json(ok(["preview", asset, "--rejected", "--json"])).rows.map((r: { line_number: number; reason: string }) => `${r.line_number} ${r.reason}`)
    expect(rejected("users")).toEqual(["51 age is not a number: forty", "121 expected 5 fields, found 4"])
    expect(rejected("movies")).toEqual(["61 release_date is not a DD-Mon-YYYY date: 31-Foo-1999"])
    expect(rejected("ratings")).toEqual(["11 rating out of 1..5: 9", "501 expected 4 fields, found 3", "901 userid is not a number: x"])
    const users = json(ok(["preview", "users", "--limit", "1", "--json"]))
    expect(users.columns.map((c: { name: string }) => c.name)).toEqual(["userid", "age", "gender", "occupation", "zipcode"])
    const ratings = json(ok(["preview", "ratings", "--limit", "1", "--json"]))
    expect(ratings.columns.map((c: { type: string }) => c.type)).toEqual(["INTEGER", "INTEGER", "INTEGER", "TIMESTAMP"])
  })

  it("converts each region's local times to UTC across the DST changes of both regions", async () => {
    const rows = await query(":memory:", `SELECT location, store, zone, local_time, sold_at_utc FROM read_parquet('${join(lake, "curated", "sales")}/**/*.parquet') WHERE item = 'candy' AND session_id LIKE '%-dst-%'`)
    const got = new Map(rows.map((r) => [`${r["zone"]} ${r["local_time"]}`, r]))
    expect(rows).toHaveLength(DST_EDGES.length)
    for (const e of DST_EDGES) {
      const row = got.get(`${e.zone} ${e.local}`)
      expect(row, `${e.zone} ${e.local}`).toBeDefined()
      expect(row!["sold_at_utc"]).toBe(`${e.utc}Z`)
      expect(row!["location"]).toBe(e.region)
    }
    // and every other row agrees with the instant JavaScript's time-zone database gives (no DST edge among them)
    const all = await query(":memory:", `SELECT zone, local_time, sold_at_utc FROM read_parquet('${join(lake, "curated", "sales")}/**/*.parquet') WHERE session_id NOT LIKE '%-dst-%'`)
    const offsetAt = (zone: string, utc: number) => {
      const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(utc)).map((p) => [p.type, p.value]))
      return Date.UTC(Number(parts["year"]), Number(parts["month"]) - 1, Number(parts["day"]), Number(parts["hour"]), Number(parts["minute"]), Number(parts["second"])) - utc
    }
    let checked = 0
    for (const r of all) {
      const wall = Date.parse(`${String(r["local_time"]).replace(" ", "T")}Z`)
      const instant = wall - offsetAt(String(r["zone"]), wall - offsetAt(String(r["zone"]), wall))
      if (offsetAt(String(r["zone"]), instant) !== offsetAt(String(r["zone"]), instant - 3 * 3600_000)) continue // within 3 h of a change
      expect(r["sold_at_utc"], `${r["zone"]} ${r["local_time"]}`).toBe(new Date(instant).toISOString().replace(".000Z", "Z"))
      checked++
    }
    expect(checked).toBeGreaterThan(2000)
  })

  it("answers the clinic's questions with views in the engine's catalog, equal to plain DuckDB SQL over the generated files", async () => {
    const catalog = join(lake, "_catalog.duckdb")
    const bookings = clinic("bookings.csv")
    const expected: Record<string, string> = {
      customer_feb22: `SELECT b.customer_id, c.name, count(*) AS visits FROM ${bookings} b JOIN ${clinic("customers.csv")} c USING (customer_id)
        WHERE status = 'visited' AND strftime(booked_for, '%Y-%m') = '2022-02' GROUP BY ALL`,
      service_mar22: `SELECT service_id, s.name, count(*) AS bookings FROM ${bookings} b JOIN ${clinic("services.csv")} s USING (service_id)
        WHERE month(booked_for) = 3 AND year(booked_for) = 2022 GROUP BY service_id, s.name QUALIFY rank() OVER (ORDER BY count(*) DESC, service_id) = 1`,
      customer_top5_q122: `SELECT customer_id, c.name, count(*) AS visits FROM ${bookings} b JOIN ${clinic("customers.csv")} c USING (customer_id)
        WHERE status = 'visited' AND quarter(booked_for) = 1 AND year(booked_for) = 2022 GROUP BY customer_id, c.name QUALIFY row_number() OVER (ORDER BY count(*) DESC, customer_id) <= 5`,
      service_top3: `WITH v AS (SELECT * FROM ${bookings} WHERE status = 'visited'),
        best AS (SELECT arg_max(customer_id, n) AS customer_id FROM (SELECT customer_id, count(*) * 1000 - customer_id AS n FROM v GROUP BY 1))
        SELECT v.customer_id, service_id, s.name, count(*) AS visits FROM v JOIN best USING (customer_id) JOIN ${clinic("services.csv")} s USING (service_id)
        GROUP BY v.customer_id, service_id, s.name QUALIFY row_number() OVER (ORDER BY count(*) DESC, service_id) <= 3`,
      therapist_experience: `SELECT therapist_id, t.name, count(*) AS sessions FROM ${bookings} b JOIN ${clinic("services.csv")} s USING (service_id)
        JOIN ${clinic("therapists.csv")} t USING (therapist_id) WHERE status = 'visited' AND s.category = 'physiotherapy'
        GROUP BY therapist_id, t.name QUALIFY row_number() OVER (ORDER BY count(*) DESC, therapist_id) = 1`
    }
    for (const [view, sql] of Object.entries(expected)) {
      const mine = await query(catalog, `SELECT * FROM ${view}`)
      const theirs = await query(":memory:", sql)
      expect(mine.length, view).toBeGreaterThan(0)
      expect(canonical(numbers(mine)), view).toEqual(canonical(numbers(theirs)))
    }
    // what the generated data was made to answer
    expect(numbers(await query(catalog, "SELECT * FROM service_top3"))[0]!["customer_id"]).toBe(7)
    expect(numbers(await query(catalog, "SELECT * FROM service_mar22"))[0]!["service_id"]).toBe(2)
  })

  it("answers the sales questions with views, equal to plain DuckDB SQL over the zipped exports and Europe's table", async () => {
    const catalog = join(lake, "_catalog.duckdb")
    const sales = `(SELECT *, timezone('UTC', (local_time || ' ' || zone)::TIMESTAMPTZ) AS utc FROM read_csv('${salesCsv}', header = true))`
    const expected: Record<string, string> = {
      top_locations: `SELECT location, store, count(*) AS purchases, round(sum(quantity * unit_price), 2) AS revenue FROM ${sales} WHERE event_type = 'purchase' GROUP BY ALL`,
      peak_hours_utc: `SELECT extract('hour' FROM utc) AS hour_utc, count(*) AS purchases, round(sum(quantity * unit_price), 2) AS revenue FROM ${sales} WHERE event_type = 'purchase' GROUP BY ALL`,
      cart_removals: `SELECT r.item, count(*) AS removals FROM ${sales} r SEMI JOIN ${sales} a
        ON a.session_id = r.session_id AND a.item = r.item AND a.event_type = 'add_to_cart' AND a.utc <= r.utc WHERE r.event_type = 'remove_from_cart' GROUP BY ALL`,
      sold_together: `WITH p AS (SELECT DISTINCT session_id, item FROM ${sales} WHERE event_type = 'purchase')
        SELECT a.item AS item_a, b.item AS item_b, count(*) AS sessions FROM p a JOIN p b ON a.session_id = b.session_id AND a.item < b.item GROUP BY ALL`
    }
    for (const [view, sql] of Object.entries(expected)) {
      const mine = await query(catalog, `SELECT * FROM ${view}`)
      const theirs = await query(":memory:", sql)
      expect(mine.length, view).toBeGreaterThan(0)
      expect(canonical(numbers(mine)), view).toEqual(canonical(numbers(theirs)))
    }
  })

  it("a view has status and lineage: stale when what it reads changes, a new data version once created again", () => {
    const before = json(ok(["lineage", "customer_feb22", "--json"]))
    expect(JSON.stringify(before)).toContain("clinic_bookings")
    const versionOf = (lineage: { root: string; nodes: Array<{ id: string; dataVersion: string; rowCount: number }> }) => lineage.nodes.find((n) => n.id === lineage.root)!
    const file = join(lake, "landing", "clinic", "bookings.csv")
    writeFileSync(file, `${readFileSync(file, "utf8")}501,3,1,1,2022-02-10 10:00:00,visited\n`)
    const stale = json(ok(["status", "customer_feb22,top_locations", "--json"]))
    expect(Object.fromEntries(stale.map((s: { asset: string; status: string }) => [s.asset, s.status]))).toEqual({ customer_feb22: "STALE", top_locations: "FRESH" })
    const run = json(ok(["materialize", "customer_feb22", "--json"]))
    const steps = (run.outcomes as Array<{ asset: string; state: string }>).filter((o) => o.state === "succeeded").map((o) => o.asset).sort()
    // the clinic's files are one source: each table of it runs again, and only what changed moves on
    expect(steps).toEqual(["clinic_bookings", "clinic_customers", "customer_feb22"])
    const preview = json(ok(["preview", "customer_feb22", "--limit", "1000", "--json"]))
    expect(preview.rows.find((r: { customer_id: number }) => r.customer_id === 3)).toBeDefined()
    expect(json(ok(["status", "customer_feb22", "--json"]))[0].status).toBe("FRESH")
    // created again over a new version of what it reads: a new data version of its own, one more row here
    const after = versionOf(json(ok(["lineage", "customer_feb22", "--json"])))
    expect(after.dataVersion).not.toBe(versionOf(before).dataVersion)
    expect(after.rowCount).toBe(versionOf(before).rowCount + (preview.rows.find((r: { customer_id: number; visits: number }) => r.customer_id === 3).visits === 1 ? 1 : 0))
  })

  it("draws the tables and their keys as an entity-relation diagram (SVG)", () => {
    const out = join(dir, "erd.svg")
    expect(ok(["docs", "--erd", "--out", out, "users,movies,ratings,clinic_*,customer_feb22"])).toContain("relations")
    const svg = readFileSync(out, "utf8")
    expect(svg.startsWith("<svg")).toBe(true)
    for (const t of ["users", "movies", "ratings", "clinic_bookings", "clinic_customers"]) expect(svg).toContain(`data-name="${t}"`)
    expect(svg).toContain('<g class="view" data-name="customer_feb22">')
    expect(svg).toContain('data-from="ratings.userid" data-to="users.userid"')
    expect(svg).toContain('data-from="ratings.itemid" data-to="movies.movieid"')
    expect(svg).toContain('data-from="clinic_bookings.therapist_id" data-to="clinic_therapists.therapist_id"')
    expect(cli(["docs"]).status).toBe(2)
  })
})

const mysql = await mysqlAvailability()

describe.skipIf(!mysql.ok)("the Funflix example reading Europe's sales from MariaDB", () => {
  let db: SakilaDatabase
  const other = tempDir("funflix-mysql-")
  beforeAll(async () => {
    db = await createEmptyDatabase("funflix_test")
  })
  afterAll(async () => {
    await dropDatabase(db.name)
    rmSync(other, { recursive: true, force: true })
  })

  it("fills the table, reads each month from it, and merges the same sales as the embedded default", async () => {
    const extra = { ASSETS_LAKE: join(other, "lake"), ASSETS_STATE_DIR: join(other, "state"), FUNFLIX_EUROPE_MYSQL_URL: mysqlUrl(db.name) }
    mkdirSync(other, { recursive: true })
    const r = cli(["materialize", "top_locations"], extra)
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0)
    const read = (root: string) => query(":memory:", `SELECT * EXCLUDE (sold_at) FROM read_parquet('${join(root, "curated", "sales")}/**/*.parquet', hive_partitioning = false) WHERE location = 'europe'`)
    const fromMysql = await read(join(other, "lake"))
    expect(fromMysql.length).toBeGreaterThan(1000)
    expect(canonical(fromMysql)).toEqual(canonical(await read(lake)))
    expect(cli(["status", "sales", "--json"], extra).stdout).toContain('"FRESH"')
  })
})
