/**
 * Europe's sales are rows of a database table (`europe_sales`), read through `@effect/sql`'s SqlClient: MySQL or
 * MariaDB when FUNFLIX_EUROPE_MYSQL_URL names one (`@effect/sql-mysql2`), else a SQLite file (FUNFLIX_EUROPE_DB,
 * default `data/europe_sales.sqlite` beside the configuration), the embedded default. The same SQL runs on both.
 */
import { SqlClient } from "@effect/sql"
import { Config, Context, Effect, Layer, Option } from "effect"
import { SALE_COLUMNS, salesEvents, type SaleEvent } from "./generate.js"

export class EuropeSales extends Context.Tag("funflix/EuropeSales")<
  EuropeSales,
  {
    /** a version per export month (`YYYY-MM` of the local time), from counts and sums the table answers */
    readonly months: Effect.Effect<ReadonlyMap<string, string>, unknown>
    /** the month's rows, in event order, every value as text */
    readonly rows: (month: string) => Effect.Effect<ReadonlyArray<Record<string, string>>, unknown>
    /** creates and fills the table from the generator when it does not exist yet (the demo's data) */
    readonly seed: (seed: number) => Effect.Effect<boolean, unknown>
  }
>() {}

const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  return EuropeSales.of({
    months: Effect.map(
      sql<{ month: string; n: unknown; ids: unknown; q: unknown; latest: string }>`
        SELECT substr(local_time, 1, 7) AS month, count(*) AS n, sum(event_id) AS ids, sum(quantity * 7 + customer_id) AS q, max(local_time) AS latest
        FROM europe_sales GROUP BY substr(local_time, 1, 7)`,
      (rows) => new Map(rows.map((r) => [r.month, `${r.n}-${r.ids}-${r.q}-${r.latest}`]))
    ),
    rows: (month) =>
      Effect.map(
        sql<Record<string, unknown>>`SELECT ${sql.literal(SALE_COLUMNS.join(", "))} FROM europe_sales WHERE substr(local_time, 1, 7) = ${month} ORDER BY event_id`,
        (rows) => rows.map((r) => Object.fromEntries(SALE_COLUMNS.map((c) => [c, String(r[c])])))
      ),
    seed: (seed) =>
      Effect.gen(function* () {
        yield* sql`CREATE TABLE IF NOT EXISTS europe_sales (
          event_id BIGINT PRIMARY KEY, session_id VARCHAR(40) NOT NULL, customer_id INT NOT NULL, item VARCHAR(40) NOT NULL,
          event_type VARCHAR(20) NOT NULL, quantity INT NOT NULL, unit_price DOUBLE NOT NULL, store VARCHAR(40) NOT NULL,
          zone VARCHAR(40) NOT NULL, local_time VARCHAR(19) NOT NULL)`
        const [{ n }] = (yield* sql<{ n: unknown }>`SELECT count(*) AS n FROM europe_sales`) as unknown as [{ n: unknown }]
        if (Number(n) > 0) return false
        const events: ReadonlyArray<SaleEvent> = salesEvents(seed, "europe")
        for (let i = 0; i < events.length; i += 500) yield* sql`INSERT INTO europe_sales ${sql.insert(events.slice(i, i + 500) as Array<SaleEvent & Record<string, unknown>>)}`
        return true
      })
  })
})

/** MySQL when FUNFLIX_EUROPE_MYSQL_URL is set (mysql2 loads only then), else the SQLite file. */
export const layer = (defaultFile: string): Layer.Layer<EuropeSales, unknown> =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const url = yield* Config.option(Config.redacted("FUNFLIX_EUROPE_MYSQL_URL"))
      if (Option.isSome(url)) {
        const { MysqlClient } = yield* Effect.promise(() => import("@effect/sql-mysql2"))
        return Layer.effect(EuropeSales, make).pipe(Layer.provide(MysqlClient.layer({ url: url.value })))
      }
      const file = yield* Config.withDefault(Config.string("FUNFLIX_EUROPE_DB"), defaultFile)
      const { mkdirSync } = yield* Effect.promise(() => import("node:fs"))
      const { dirname } = yield* Effect.promise(() => import("node:path"))
      mkdirSync(dirname(file), { recursive: true })
      const { SqliteClient } = yield* Effect.promise(() => import("@effect/sql-sqlite-node"))
      return Layer.effect(EuropeSales, make).pipe(Layer.provide(SqliteClient.layer({ filename: file })))
    })
  )
