import { Effect, Schedule } from "effect"
import type { ColumnSpec } from "../../runtime/asset/columns.js"
import { columnProblems } from "../../runtime/engine/columnProblems.js"
import { contractChecks } from "../../runtime/engine/contractChecks.js"
import { EngineError, type ViewCreated } from "../../runtime/engine/Engine.js"
import type { DuckDB, DuckDBError } from "./DuckDB.js"

/** The DuckDB database holding the views, at the lake's root: definitions only, no rows. */
export const CATALOG_FILE = "_catalog.duckdb"

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`
const ident = (s: string): string => `"${s.replaceAll('"', '""')}"`

/**
 * Views on the embedded engine. The engine's own DuckDB is in memory (the lake's files are the data), so views are
 * created in a DuckDB file at the lake's root: `duckdb lake/_catalog.duckdb` then `SELECT * FROM customer_feb22`
 * answers from the lake's published Parquet files. The file is attached only while a view is created, one view at a
 * time, so another process (a second runner, `assets serve`) finds it free; one that holds it is waited for.
 * Readers inside the runtime never attach it: they read a view as the SQL it was created with.
 */
export const makeViews = (duck: DuckDB["Type"], catalogPath: string) => {
  const one = Effect.unsafeMakeSemaphore(1)
  const fail = (sql: string) => (e: DuckDBError) => new EngineError({ message: e.message, sql, cause: e })

  const check = (sql: string, columns: ReadonlyArray<ColumnSpec>) =>
    Effect.gen(function* () {
      const relation = `(${sql})`
      const described = yield* duck.all(`DESCRIBE SELECT * FROM ${relation}`).pipe(Effect.mapError(fail(sql)))
      const actual = described.map((c) => ({ name: String(c["column_name"]), type: String(c["column_type"]) }))
      const mismatches = columnProblems(columns, actual, "duckdb")
      const checks = mismatches.length > 0 ? [] : contractChecks(columns)
      const counting = `SELECT count(*)::BIGINT AS n${checks.map((c, i) => `, count(*) FILTER (WHERE ${c.expr})::BIGINT AS v${i}`).join("")} FROM ${relation} AS t`
      const [row] = yield* duck.all(counting).pipe(Effect.mapError(fail(counting)))
      const problems = mismatches.length > 0 ? mismatches : checks.flatMap((c, i) => (Number(row?.[`v${i}`] ?? 0) > 0 ? [c.message(Number(row?.[`v${i}`]))] : []))
      return { stats: { columns: actual, rows: Number(row?.["n"] ?? 0), contentHash: "" }, problems }
    })

  const create = (name: string, sql: string) => {
    const ddl = `CREATE OR REPLACE VIEW assets_catalog.main.${ident(name)} AS ${sql}`
    return duck
      .withConnection(async (c) => {
        await c.run(`ATTACH ${quote(catalogPath)} AS assets_catalog`)
        try {
          await c.run(ddl)
        } finally {
          await c.run("DETACH assets_catalog")
        }
      })
      .pipe(
        // another process holding the file's lock: wait for it (a few seconds), anything else fails at once
        Effect.retry({ while: (e) => /lock/i.test(e.message), schedule: Schedule.spaced("200 millis").pipe(Schedule.intersect(Schedule.recurs(50))) }),
        Effect.mapError(fail(ddl))
      )
  }

  const createView = (name: string, sql: string, columns: ReadonlyArray<ColumnSpec>): Effect.Effect<ViewCreated, EngineError> =>
    one.withPermits(1)(
      Effect.gen(function* () {
        const checked = yield* check(sql, columns)
        if (checked.problems.length > 0) return { ...checked, metadata: {} }
        yield* create(name, sql)
        return { ...checked, metadata: { catalog: catalogPath } }
      })
    )
  return { createView }
}
