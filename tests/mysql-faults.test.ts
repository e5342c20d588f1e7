import { existsSync, readdirSync, statSync } from "node:fs"
import { createServer } from "node:net"
import { join, relative } from "node:path"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { SakilaSource } from "../assets/SakilaSource.js"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { mysqlProject } from "./support/mysqlProject.js"
import { adminConnection, createBigFilmDatabase, MYSQL_HOST, mysqlAvailability, mysqlUrl, onDatabase, type SakilaDatabase } from "./support/sakilaDatabase.js"

const mysql = await mysqlAvailability()
// film_id is a SMALLINT in Sakila
const BIG = 60_000

/** Every file under a folder, as paths relative to it. */
const files = (dir: string): Array<string> => {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })

const messageOf = (e: unknown) => String((e as Error).message ?? e)

const materializationsOf = (p: ReturnType<typeof mysqlProject>, asset: string) =>
  p.run(Effect.flatMap(EventStore, (s) => s.materializations({ asset: asset as AssetKey, limit: 10 })))

describe.skipIf(!mysql.ok)("MySQL faults: clear errors, bounded retries, nothing recorded, nothing half-visible", () => {
  let db: SakilaDatabase

  beforeAll(async () => {
    db = await createBigFilmDatabase("sakila_faults", BIG)
  })
  afterAll(async () => {
    await db?.drop()
  })

  it("a connection killed mid-extraction fails the step with the host and what to check, after bounded retries; nothing recorded, no landing file", async () => {
    const p = mysqlProject({ url: db.url })
    const killer = await adminConnection()
    const killed: Array<number> = []
    let running = true
    const killing = (async () => {
      while (running) {
        const [rows] = (await killer.query(
          "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'SELECT `film_id`%FROM `film`%'",
          [db.name]
        )) as unknown as [Array<{ id: number }>]
        for (const { id } of rows) {
          await killer.query(`KILL CONNECTION ${Number(id)}`).catch(() => undefined)
          killed.push(id)
        }
        await new Promise((r) => setTimeout(r, 5))
      }
    })()
    try {
      const started = Date.now()
      const result = await p.materialize("raw_film")
      running = false
      await killing
      expect(result.status).toBe("FAILURE")
      const outcome = result.outcomes.find((o) => o.task.id === "raw_film")!
      expect(outcome.state).toBe("failed")
      // the connection's close fails the stream at once, not the stall timeout (30 s)
      expect(outcome.message).toMatch(new RegExp(`the connection to MySQL at ${MYSQL_HOST}:3306 was lost while extracting film \\(PROTOCOL_CONNECTION_LOST\\)`))
      expect(outcome.message).toMatch(/check the server's log/)
      // the first attempt and three retries, each killed
      expect(new Set(killed).size).toBe(4)
      expect(Date.now() - started).toBeGreaterThan(250 + 500 + 1000)

      expect(await materializationsOf(p, "raw_film")).toEqual([])
      expect(files(p.lake).filter((f) => !f.startsWith("landing/streaming/"))).toEqual([])
    } finally {
      running = false
      await killing
      await killer.end()
      await p.dispose()
    }
  })

  it("after the failures, the same large table extracts whole in a stream", async () => {
    const p = mysqlProject({ url: db.url })
    try {
      let peak = 0
      const base = process.memoryUsage().heapUsed
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed - base)), 10)
      const result = await p.materialize("raw_film")
      clearInterval(sampler)
      expect(result.status).toBe("SUCCESS")
      const outcome = result.outcomes[0]!
      expect(outcome.materialization!.rowCount).toBe(BIG)
      const size = statSync(join(p.lake, "landing/raw_film/data.csv")).size
      console.log(`raw_film from MySQL, ${BIG} rows (${(size / 1e6).toFixed(1)} MB CSV): ${outcome.durationMs} ms, heap growth peak ${(peak / 1e6).toFixed(1)} MB`)
    } finally {
      await p.dispose()
    }
  })

  it("an unreachable server at start fails with the host and what to check, after bounded retries; nothing recorded", async () => {
    const port = await freePort()
    const p = mysqlProject({ url: `mysql://root@127.0.0.1:${port}/sakila`, source: { retries: 2, retryBase: "100 millis" } })
    try {
      const started = Date.now()
      const error = await p.materialize("raw_language").then(() => undefined, (e: unknown) => e)
      expect(error).toBeDefined()
      expect(messageOf(error)).toMatch(new RegExp(`cannot reach MySQL at 127.0.0.1:${port} while connecting \\(ECONNREFUSED\\)`))
      expect(messageOf(error)).toMatch(/check that the server is running/)
      expect(Date.now() - started).toBeGreaterThanOrEqual(300)
      expect(await materializationsOf(p, "raw_language")).toEqual([])
      expect(files(p.lake).filter((f) => f.includes("raw_language"))).toEqual([])
    } finally {
      await p.dispose()
    }
  })

  it("wrong credentials fail fast, without retrying, and never show the password", async () => {
    const p = mysqlProject({ url: mysqlUrl(db.name, "root", "not-the-password"), source: { retries: 4, retryBase: "1 second" } })
    try {
      expect(await p.run(Effect.map(SakilaSource, (s) => s.describe))).toBe(`MySQL root@${MYSQL_HOST}:3306/${db.name}`)
      const started = Date.now()
      const error = await p.materialize("raw_language").then(() => undefined, (e: unknown) => e)
      expect(Date.now() - started).toBeLessThan(1000)
      expect(messageOf(error)).toMatch(new RegExp(`MySQL at ${MYSQL_HOST}:3306 refused user 'root' \\(ER_ACCESS_DENIED_ERROR\\)`))
      expect(messageOf(error)).toMatch(/check the user and password in SAKILA_MYSQL_URL/)
      expect(messageOf(error)).not.toMatch(/not-the-password/)
      expect(await materializationsOf(p, "raw_language")).toEqual([])
    } finally {
      await p.dispose()
    }
  })

  it("a table missing from the source is named", async () => {
    await onDatabase(db.name, async (c) => {
      await c.query("SET FOREIGN_KEY_CHECKS = 0")
      await c.query("DROP TABLE language")
    })
    const p = mysqlProject({ url: db.url })
    try {
      const error = await p.materialize("raw_language").then(() => undefined, (e: unknown) => e)
      expect(messageOf(error)).toMatch(new RegExp(`table 'language' is missing from ${db.name} on MySQL at ${MYSQL_HOST}:3306`))
      expect(await materializationsOf(p, "raw_language")).toEqual([])
    } finally {
      await p.dispose()
    }
  })
})
