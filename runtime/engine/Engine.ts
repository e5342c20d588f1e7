import { Context, Data, type Effect } from "effect"
import type { FileFormat, InputFiles } from "../asset/Asset.js"
import type { ColumnSpec } from "../asset/columns.js"
import type { Dialect } from "../asset/ddl.js"

export class EngineError extends Data.TaggedError("EngineError")<{
  readonly message: string
  readonly sql?: string
  readonly cause?: unknown
}> {}

/** What the engine found in a written output: its columns, size and a content hash over its rows. */
export interface OutputStats {
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string }>
  readonly rows: number
  /** order-independent hash of the rows: identical content gives the same value whatever the file bytes */
  readonly contentHash: string
}

/** An output as found, and how it breaks its asset's declared columns (empty when it does not). */
export interface OutputCheck {
  readonly stats: OutputStats
  readonly problems: ReadonlyArray<string>
  /** the `counts` asked for, in order, when the engine counted them in the same scan (absent: it did not) */
  readonly counts?: ReadonlyArray<number>
}

/** A view the engine created: what it answered when checked, and what to record about it (e.g. where it lives). */
export interface ViewCreated extends OutputCheck {
  readonly metadata: Record<string, unknown>
}

/**
 * The SQL engine port: the runtime writes query results to lake paths and inspects them through it.
 * DuckDB (embedded) and Athena (distributed) implement it.
 */
export class Engine extends Context.Tag("runtime/Engine")<
  Engine,
  {
    readonly dialect: Dialect
    /** an SQL relation reading these files; an empty list reads as an empty relation with the given columns */
    readonly relation: (input: InputFiles) => string
    /** runs a query and writes its result to a lake path; returns what to record about it (query ids, bytes scanned, cost) */
    readonly write: (sql: string, path: string, format: FileFormat) => Effect.Effect<Record<string, unknown>, EngineError>
    readonly inspect: (path: string, format: FileFormat) => Effect.Effect<OutputStats, EngineError>
    /**
     * inspects an output and checks it against the declared columns: each present, in order, with its type, nothing
     * else, and no row breaking a column's contract (NULL in a required column, a value outside an enum). An engine may
     * also evaluate `counts` (aggregates over the output's rows, e.g. an asset check's failing rows) in the same scan.
     */
    readonly check: (
      path: string,
      format: FileFormat,
      columns: ReadonlyArray<ColumnSpec>,
      counts?: ReadonlyArray<string>
    ) => Effect.Effect<OutputCheck, EngineError>
    /** a small result, rows as plain JSON values */
    readonly query: (sql: string) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, EngineError>
    /**
     * creates or replaces the view `name` over `sql` in the engine's catalog, after checking what it answers against
     * the declared columns like an output (its rows stay in what it reads; `contentHash` is not computed). Engines
     * without a catalog leave it out, and a view asset on them fails saying so.
     */
    readonly createView?: (name: string, sql: string, columns: ReadonlyArray<ColumnSpec>) => Effect.Effect<ViewCreated, EngineError>
    /**
     * starts what the engine opens at its first query (an embedded database loading its library and starting its
     * threads), for a caller about to send queries to fork; engines with nothing to open leave it out
     */
    readonly openAhead?: Effect.Effect<void>
  }
>() {}
