import { Effect } from "effect"
import type { FileFormat } from "../asset/Asset.js"
import type { ColumnSpec } from "../asset/columns.js"
import type { Dialect } from "../asset/ddl.js"
import { columnProblems } from "./columnProblems.js"
import type { EngineError, OutputCheck, OutputStats } from "./Engine.js"

/**
 * An output check in two steps: inspect the output, compare its columns with the declared ones, and only when they
 * match count the rows breaking a row-level contract (a missing column cannot be checked for NULLs). Engines use
 * it as is, or behind a faster path that falls back to it to say exactly what is wrong.
 */
export const checkInTurn =
  (
    dialect: Dialect,
    inspect: (path: string, format: FileFormat) => Effect.Effect<OutputStats, EngineError>,
    violations: (path: string, format: FileFormat, columns: ReadonlyArray<ColumnSpec>) => Effect.Effect<ReadonlyArray<string>, EngineError>
  ) =>
  (path: string, format: FileFormat, columns: ReadonlyArray<ColumnSpec>): Effect.Effect<OutputCheck, EngineError> =>
    Effect.gen(function* () {
      const stats = yield* inspect(path, format)
      const mismatches = columnProblems(columns, stats.columns, dialect)
      return { stats, problems: mismatches.length > 0 ? mismatches : yield* violations(path, format, columns) }
    })
