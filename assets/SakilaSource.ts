import { Context, Data, type Effect, type Stream } from "effect"

export const sakilaTables = ["film", "category", "film_category", "language"] as const
export type SakilaTable = (typeof sakilaTables)[number]

/** Columns of each extracted table, in the real Sakila schema's order: the landing CSV header. */
export const sakilaColumns: Record<SakilaTable, ReadonlyArray<string>> = {
  film: [
    "film_id", "title", "description", "release_year", "language_id", "original_language_id", "rental_duration",
    "rental_rate", "length", "replacement_cost", "rating", "special_features", "last_update"
  ],
  category: ["category_id", "name", "last_update"],
  film_category: ["film_id", "category_id", "last_update"],
  language: ["language_id", "name", "last_update"]
}

/** Primary key of each table: an incremental extraction replaces previous rows with the same key. */
export const sakilaKeys: Record<SakilaTable, ReadonlyArray<string>> = {
  film: ["film_id"],
  category: ["category_id"],
  film_category: ["film_id", "category_id"],
  language: ["language_id"]
}

export class SourceError extends Data.TaggedError("SourceError")<{
  readonly table?: string
  readonly message: string
  /** trying again may help (the server was unreachable or the connection dropped) */
  readonly transient?: boolean
  readonly cause?: unknown
}> {}

/** Where an incremental extraction resumes: rows whose `column` is at or after `value`. */
export interface Bookmark {
  readonly column: string
  readonly value: string | number | Date
}

export interface ExtractOptions {
  /**
   * Only rows at or after the bookmark (inclusive: timestamps have one-second precision, so rows written in the
   * second of the last extraction are read again; the caller replaces them by primary key).
   */
  readonly since?: Bookmark | undefined
}

/** A row as values in `sakilaColumns` order: strings, numbers, Dates (UTC) or null. */
export type SourceRow = ReadonlyArray<string | number | Date | null>

/**
 * Where the Sakila tables come from: a generated database (embedded default) or MySQL. Assets read the source
 * only through this, so switching it changes no asset.
 */
export class SakilaSource extends Context.Tag("assets/SakilaSource")<
  SakilaSource,
  {
    /** where it reads from, for messages (never a password) */
    readonly describe: string
    /** a version that changes whenever the table's content does */
    readonly observe: (table: SakilaTable) => Effect.Effect<string, SourceError>
    /** every row (or those since a bookmark), streamed in primary-key order */
    readonly extract: (table: SakilaTable, options?: ExtractOptions) => Stream.Stream<SourceRow, SourceError>
  }
>() {}
