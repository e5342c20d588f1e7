import { createHash } from "node:crypto"
import { Effect } from "effect"
import type { ColumnSpec } from "../../runtime/asset/columns.js"
import { columnProblems } from "../../runtime/engine/columnProblems.js"
import { contractChecks } from "../../runtime/engine/contractChecks.js"
import type { EngineError, ViewCreated } from "../../runtime/engine/Engine.js"
import type { QueryResult, QueryRun } from "./AthenaQueries.js"
import { toAthena } from "./dialect.js"

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`

/** What the Athena engine lends its views: its queries, the catalog's tables a query references, column types. */
export interface AthenaViewDeps {
  readonly database: string
  readonly run: (sql: string) => Effect.Effect<QueryRun, EngineError>
  readonly select: (sql: string) => Effect.Effect<QueryResult & { run: QueryRun }, EngineError>
  readonly ensureReferenced: (sql: string) => Effect.Effect<void, EngineError>
  readonly columnsOfTable: (name: string) => Effect.Effect<{ columns: ReadonlyArray<{ name: string; type: string }>; run: QueryRun }, EngineError>
  readonly usage: (runs: ReadonlyArray<QueryRun>) => Record<string, unknown>
}

/**
 * Views on Athena: `CREATE OR REPLACE VIEW` in the Glue database, beside the tables, so analysts query them by name.
 * The view is first created under a stage name and checked there (its columns from the catalog, its rows against the
 * contract), and only then replaces the one readers see, in one statement.
 */
export const makeAthenaViews = (deps: AthenaViewDeps) => {
  const db = ident(deps.database)
  const createView = (name: string, sql: string, columns: ReadonlyArray<ColumnSpec>): Effect.Effect<ViewCreated, EngineError> =>
    Effect.gen(function* () {
      const translated = toAthena(sql)
      yield* deps.ensureReferenced(translated)
      const stage = `stage_view_${createHash("sha256").update(name).digest("hex").slice(0, 16)}`
      const runs: Array<QueryRun> = []
      runs.push(yield* deps.run(`CREATE OR REPLACE VIEW ${db}.${ident(stage)} AS\n${translated}`))
      const described = yield* deps.columnsOfTable(stage)
      runs.push(described.run)
      const mismatches = columnProblems(columns, described.columns, "athena")
      const checks = mismatches.length > 0 ? [] : contractChecks(columns)
      const counted = yield* deps.select(
        `SELECT count(*) AS n${checks.map((c, i) => `, count(*) FILTER (WHERE ${c.expr}) AS v${i}`).join("")} FROM ${db}.${ident(stage)}`
      )
      runs.push(counted.run)
      const row = counted.rows[0] ?? []
      const problems = mismatches.length > 0 ? mismatches : checks.flatMap((c, i) => (Number(row[i + 1] ?? 0) > 0 ? [c.message(Number(row[i + 1]))] : []))
      if (problems.length === 0) runs.push(yield* deps.run(`CREATE OR REPLACE VIEW ${db}.${ident(name)} AS\n${translated}`))
      runs.push(yield* deps.run(`DROP VIEW IF EXISTS ${db}.${ident(stage)}`))
      return {
        stats: { columns: described.columns, rows: Number(row[0] ?? 0), contentHash: "" },
        problems,
        metadata: { ...deps.usage(runs), athena_view: `${deps.database}.${name}` }
      }
    })
  return { createView }
}
