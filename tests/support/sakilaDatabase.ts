import { randomBytes } from "node:crypto"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import * as Mysql from "mysql2/promise"

/** The MariaDB the tests use: root without a password over TCP (see .ci/run). */
export const MYSQL_HOST = process.env["TEST_MYSQL_HOST"] ?? "127.0.0.1"
export const MYSQL_PORT = Number(process.env["TEST_MYSQL_PORT"] ?? 3306)
export const MYSQL_USER = "root"

const SAKILA_DIR = process.env["SAKILA_DIR"] ?? join(import.meta.dirname, "..", "..", "..", "shared", "sakila")

export const mysqlUrl = (database: string, user = MYSQL_USER, password = ""): string =>
  `mysql://${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ""}@${MYSQL_HOST}:${MYSQL_PORT}/${database}`

/** A connection without a default database, for creating and dropping test databases. */
export const adminConnection = (database?: string) =>
  Mysql.createConnection({
    host: MYSQL_HOST,
    port: MYSQL_PORT,
    user: MYSQL_USER,
    ...(database ? { database } : {}),
    multipleStatements: false,
    timezone: "Z",
    connectTimeout: 3000
  })

/**
 * Whether the MariaDB is reachable. Tests call it once: when CI is set an unreachable server is a failure,
 * elsewhere the suite is skipped with the reason printed.
 */
export const mysqlAvailability = async (): Promise<{ readonly ok: true } | { readonly ok: false; readonly reason: string }> => {
  try {
    const conn = await adminConnection()
    await conn.query("SELECT 1")
    await conn.end()
    return { ok: true }
  } catch (e) {
    const reason = `MariaDB at ${MYSQL_HOST}:${MYSQL_PORT} is unreachable (${(e as Error).message}); start it with .ci/run or see STACK-NOTES`
    if (process.env["CI"]) throw new Error(`${reason}; CI is set, so MySQL tests must run`)
    console.warn(`skipping MySQL tests: ${reason}`)
    return { ok: false, reason }
  }
}

/**
 * Splits a MySQL script into statements as the command-line client does: `DELIMITER` lines change the
 * terminator (for triggers and procedures), and terminators inside quotes or comments do not count.
 */
export const splitStatements = (script: string): Array<string> => {
  const out: Array<string> = []
  let delimiter = ";"
  // statement text is collected as slices, not per character, so a large INSERT stays linear
  let parts: Array<string> = []
  let start = 0
  let blank = true
  let i = 0
  const n = script.length
  const skip = (to: number, keep: string) => {
    if (i > start) parts.push(script.slice(start, i))
    parts.push(keep)
    i = to
    start = to
  }
  const take = (to: number) => {
    if (i > start) parts.push(script.slice(start, i))
    const text = parts.join("").trim()
    if (text !== "") out.push(text)
    parts = []
    blank = true
    i = to
    start = to
  }
  const lineEnd = (from: number) => {
    const end = script.indexOf("\n", from)
    return end === -1 ? n : end + 1
  }
  while (i < n) {
    const c = script[i]!
    if (blank && (i === 0 || script[i - 1] === "\n") && /^delimiter[ \t]/i.test(script.slice(i, i + 10))) {
      const end = lineEnd(i)
      delimiter = script.slice(i, end).trim().split(/\s+/)[1]!
      take(end)
      continue
    }
    if (c === "-" && script[i + 1] === "-" && /\s/.test(script[i + 2] ?? "\n")) {
      skip(lineEnd(i), "\n")
      continue
    }
    if (c === "#") {
      skip(lineEnd(i), "\n")
      continue
    }
    if (c === "/" && script[i + 1] === "*") {
      const end = script.indexOf("*/", i + 2)
      const stop = end === -1 ? n : end + 2
      // versioned comments (/*!40101 ... */) are statements to MySQL; keep them
      if (script[i + 2] === "!") {
        blank = false
        i = stop
      } else skip(stop, " ")
      continue
    }
    if (c === "'" || c === '"' || c === "`") {
      let j = i + 1
      while (j < n) {
        const d = script[j]!
        if (d === "\\" && c !== "`") j += 2
        else if (d === c && script[j + 1] === c) j += 2
        else if (d === c) break
        else j++
      }
      blank = false
      i = j + 1
      continue
    }
    if (script.startsWith(delimiter, i)) {
      take(i + delimiter.length)
      // take() moved i past the delimiter; the text before it is the statement
      continue
    }
    if (!/\s/.test(c)) blank = false
    i++
  }
  take(n)
  return out
}

/** The official schema and data, aimed at `database` instead of `sakila`. */
export const sakilaStatements = async (database: string): Promise<Array<string>> => {
  const schema = await readFile(join(SAKILA_DIR, "sakila-schema.sql"), "utf8")
  const data = await readFile(join(SAKILA_DIR, "sakila-data.sql"), "utf8")
  const target = `\`${database}\``
  return [...splitStatements(schema), ...splitStatements(data)].map((s) =>
    s
      .replace(/^DROP SCHEMA IF EXISTS sakila$/i, `DROP SCHEMA IF EXISTS ${target}`)
      .replace(/^CREATE SCHEMA sakila$/i, `CREATE SCHEMA ${target}`)
      .replace(/^USE sakila$/i, `USE ${target}`)
      .replace(/\bsakila\.(?=[a-z_`])/g, `${target}.`)
  )
}

export interface SakilaDatabase {
  readonly name: string
  readonly url: string
  readonly drop: () => Promise<void>
}

/** A uniquely named database loaded with the official Sakila schema and data; `drop` removes it. */
export const createSakilaDatabase = async (prefix = "sakila_test"): Promise<SakilaDatabase> => {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`
  const statements = await sakilaStatements(name)
  const conn = await adminConnection()
  try {
    for (const statement of statements) await conn.query(statement)
  } finally {
    await conn.end()
  }
  return { name, url: mysqlUrl(name), drop: () => dropDatabase(name) }
}

/** An empty, uniquely named database. */
export const createEmptyDatabase = async (prefix: string): Promise<SakilaDatabase> => {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`
  const conn = await adminConnection()
  await conn.query(`CREATE DATABASE \`${name}\``)
  await conn.end()
  return { name, url: mysqlUrl(name), drop: () => dropDatabase(name) }
}

export const dropDatabase = async (name: string): Promise<void> => {
  const conn = await adminConnection()
  await conn.query(`DROP DATABASE IF EXISTS \`${name}\``)
  await conn.end()
}

/** Runs statements on the database with a short-lived connection. */
export const onDatabase = async <A>(database: string, f: (conn: Mysql.Connection) => Promise<A>): Promise<A> => {
  const conn = await adminConnection(database)
  try {
    return await f(conn)
  } finally {
    await conn.end()
  }
}

/**
 * A Sakila database whose film table holds `rows` films (the real thousand crossed with themselves), so that its
 * extraction is still streaming when a test kills the connection.
 */
export const createBigFilmDatabase = async (prefix: string, rows: number): Promise<SakilaDatabase> => {
  const db = await createSakilaDatabase(prefix)
  await onDatabase(db.name, async (c) => {
    await c.query("DROP TRIGGER ins_film")
    await c.query(
      `INSERT INTO film (title, description, release_year, language_id, rental_duration, rental_rate, length, replacement_cost, rating, special_features)
       SELECT CONCAT(a.title, ' ', b.film_id), a.description, a.release_year, a.language_id, a.rental_duration, a.rental_rate, a.length,
              a.replacement_cost, a.rating, a.special_features
       FROM film a CROSS JOIN film b LIMIT ${rows - 1000}`
    )
  })
  return db
}
