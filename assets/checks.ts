/**
 * The Sakila pipeline's data-quality rules, attached to its assets by their `checks` option (each asset file names
 * the ones it runs). Kept here as one family so they read as one policy. Nothing here imports an asset: the rules
 * that read another asset take it as an argument, so no asset file depends on another through this one.
 */
import { defineCheck, notNull, rejectedFraction, relationships, rowCount, unique, type AnyAssetDef, type CheckDef } from "sakila-assets"

/** The Movalytics rule, for every clean table: more than one row, and no NULL ids. */
export const movalyticsRule = (...ids: ReadonlyArray<string>): ReadonlyArray<CheckDef> => [
  rowCount({ min: 2 }, { name: "more_than_one_row" }),
  notNull(ids)
]

/**
 * film_category: one row per film of the catalogue (unique film ids, and every film of clean_film there exactly
 * once; a film with two categories would be two rows).
 */
export const oneRowPerFilm = (films: AnyAssetDef): ReadonlyArray<CheckDef> => [
  unique("film_id"),
  defineCheck({
    name: "one_row_per_film",
    description: "every film of the catalogue has exactly one row",
    sql: ({ output, input }) => `
      SELECT f.film_id, CAST(count(c.film_id) AS INTEGER) AS rows
      FROM ${input(films)} AS f LEFT JOIN ${output} AS c ON c.film_id = f.film_id
      GROUP BY f.film_id HAVING count(c.film_id) <> 1`
  })
]

/** streaming_films: every stream's film is in the catalogue. A month of unknown films is not published. */
export const filmInCatalogue = (catalogue: AnyAssetDef): CheckDef => relationships("film_id", catalogue, { name: "film_id_in_film_category" })

/**
 * streaming_partitions: the lines of an arrival month that were rejected, as a share of the lines that landed in it
 * (its `accounting` side output counts them; its events are counted by event month, late ones in the month before).
 * Over 1% is worth a look (a warning); over 20% means a partner sends something else than agreed: the month is not
 * published, and nothing downstream is built from it.
 */
const landedLines = { sideOutput: "accounting", column: "lines" }
export const rejectedLines: ReadonlyArray<CheckDef> = [
  rejectedFraction({ max: 0.01, of: landedLines }, { severity: "warn" }),
  rejectedFraction({ max: 0.2, of: landedLines })
]

/** streaming_partitions: a month with less than half the events of the month before (a feed that went quiet) warns. */
export const monthOverMonth: CheckDef = rowCount(
  { min: 0.5, relativeTo: "previousPartition" },
  { severity: "warn", name: "rows_at_least_half_of_previous_month" }
)
