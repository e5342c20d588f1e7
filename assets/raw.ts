import { Chunk, Config, Effect, Option, Schedule, Schema, Stream } from "effect"
import { type AssetDef, Column, defineAsset, defineSource, eager, Lake, outputPath, type SourceDef } from "sakila-assets"
import { csvLine } from "./csv.js"
import { bookmarkOf, merged } from "./incremental.js"
import { SakilaSource, sakilaColumns, sakilaKeys, SourceError, type SakilaTable } from "./SakilaSource.js"

const encoder = new TextEncoder()

/**
 * Tables extracted incrementally, by their bookmark column: rows at or after the landed maximum are read and
 * replace the landed rows with the same primary key. film_category is always reloaded whole: moving a film to
 * another category changes its primary key, which a bookmark cannot follow. Deleted rows are only dropped by a
 * full reload: `SAKILA_FULL_RELOAD=true`.
 */
export const bookmarkColumns: Partial<Record<SakilaTable, string>> = {
  film: "last_update",
  category: "last_update",
  language: "last_update"
}

/** `SAKILA_FULL_RELOAD=true` extracts every table whole, ignoring bookmarks. */
const fullReload = Config.withDefault(Config.boolean("SAKILA_FULL_RELOAD"), false)

/** A dropped connection or an unreachable server: the whole landing file is extracted again, a few times. */
const retryTransient = Schedule.exponential("250 millis").pipe(Schedule.intersect(Schedule.recurs(3)))

/** The table in the Sakila database, observed through the source (row count, last update, checksum). */
const sourceTable = (table: SakilaTable): SourceDef<SakilaSource> =>
  defineSource({
    key: `sakila_${table}`,
    description: `the ${table} table of the Sakila database`,
    group: "sakila",
    observe: Effect.gen(function* () {
      const source = yield* SakilaSource
      return { _tag: "Whole" as const, dataVersion: yield* source.observe(table) }
    })
  })

/** Landing CSV with a header, as a DMS full load writes it: every column as text. */
const rawTable = (table: SakilaTable, upstream: SourceDef<SakilaSource>) => {
  const asset: AssetDef<any, SakilaSource | Lake> = defineAsset({
    key: `raw_${table}`,
    description: `${table} extracted from the Sakila source to the landing zone as CSV with a header`,
    group: "raw",
    automation: eager(),
    zone: "landing",
    format: "csv",
    deps: { table: upstream },
    // the extraction below, and what it closes over for this table: its columns and its bookmark
    codeVersion: `raw-csv-2:${table}:${sakilaColumns[table].join(",")}:${bookmarkColumns[table] ?? "whole"}`,
    schema: Schema.Struct(Object.fromEntries(sakilaColumns[table].map((c) => [c, Column.nullable(Column.text)]))),
    compute: (ctx) =>
      Effect.gen(function* () {
        const source = yield* SakilaSource
        const lake = yield* Lake
        const columns = sakilaColumns[table]
        const previous = outputPath(asset, undefined)
        const column = bookmarkColumns[table]
        const since = column === undefined || (yield* fullReload) ? Option.none() : yield* bookmarkOf(lake, previous, columns, column)
        const lines = Option.match(since, {
          onNone: () => Stream.concat(Stream.make(csvLine(columns)), source.extract(table).pipe(Stream.map(csvLine))),
          onSome: (bookmark) => merged({ lake, previous, columns, keys: sakilaKeys[table], fresh: source.extract(table, { since: bookmark }) })
        })
        // one write per chunk of rows, not per row
        yield* lake.write(ctx.outputPath, lines.pipe(Stream.mapChunks((c) => Chunk.of(encoder.encode(Chunk.join(c, ""))))))
      }).pipe(
        Effect.mapError(sourceCause),
        // a retry rewrites the whole staged file, so rows read before a failure are never doubled
        Effect.retry({ schedule: retryTransient, while: (e) => e instanceof SourceError && e.transient === true }),
        Effect.withSpan("raw.extract", { attributes: { table } })
      )
  })
  return asset
}

/** The source's own error when the lake wrapped it (a failed write stream), so its message reaches the user. */
const sourceCause = (e: unknown): unknown => {
  for (let c: unknown = e, depth = 0; depth < 4 && typeof c === "object" && c !== null; depth++) {
    if (c instanceof SourceError) return c
    c = (c as { cause?: unknown }).cause
  }
  return e
}

export const sakilaFilm = sourceTable("film")
export const sakilaCategory = sourceTable("category")
export const sakilaFilmCategory = sourceTable("film_category")
export const sakilaLanguage = sourceTable("language")

export const rawFilm = rawTable("film", sakilaFilm)
export const rawCategory = rawTable("category", sakilaCategory)
export const rawFilmCategory = rawTable("film_category", sakilaFilmCategory)
export const rawLanguage = rawTable("language", sakilaLanguage)
