import { Effect, Schema, Stream } from "effect"
import { defineAsset, defineSource, type AssetDef, type SourceDef } from "../runtime/asset/Asset.js"
import { Column } from "../runtime/asset/columns.js"
import { Lake } from "../runtime/lake/Lake.js"
import { csvLine } from "./csv.js"
import { SakilaSource, sakilaColumns, type SakilaTable } from "./SakilaSource.js"

const encoder = new TextEncoder()

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
const rawTable = (table: SakilaTable, upstream: SourceDef<SakilaSource>) =>
  defineAsset({
    key: `raw_${table}`,
    description: `${table} extracted from the Sakila source to the landing zone as CSV with a header`,
    group: "raw",
    zone: "landing",
    format: "csv",
    deps: { table: upstream },
    schema: Schema.Struct(Object.fromEntries(sakilaColumns[table].map((c) => [c, Column.nullable(Column.text)]))),
    compute: (ctx) =>
      Effect.gen(function* () {
        const source = yield* SakilaSource
        const lake = yield* Lake
        const header = Stream.make(csvLine(sakilaColumns[table]))
        const rows = source.extract(table).pipe(Stream.map(csvLine))
        yield* lake.write(ctx.outputPath, Stream.concat(header, rows).pipe(Stream.map((s) => encoder.encode(s))))
      })
  }) satisfies AssetDef<any, SakilaSource | Lake>

export const sakilaFilm = sourceTable("film")
export const sakilaCategory = sourceTable("category")
export const sakilaFilmCategory = sourceTable("film_category")
export const sakilaLanguage = sourceTable("language")

export const rawFilm = rawTable("film", sakilaFilm)
export const rawCategory = rawTable("category", sakilaCategory)
export const rawFilmCategory = rawTable("film_category", sakilaFilmCategory)
export const rawLanguage = rawTable("language", sakilaLanguage)
