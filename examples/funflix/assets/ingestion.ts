/**
 * The three files Funflix keeps by hand, delivered without headers (MovieLens-shaped): each is first landed as a
 * CSV with its column names (`raw_*`: every field as text, each line's number, and what is wrong with its shape),
 * then typed (`users`, `movies`, `ratings`): a line that does not fit is kept in the `rejected` side output with
 * its reason, never dropped silently.
 */
import { Effect, Schema, Stream } from "effect"
import { Column, defineAsset, defineSource, Lake, primaryKey, references, shortHash, type AssetDef } from "sakila-assets"
import { GENRES } from "./generate.js"

export const FILES_PREFIX = "landing/funflix/"

/** The hand-kept files: one version over their names, sizes and change tags. */
export const handKept = defineSource({
  key: "funflix_files",
  description: "u.user, u.item and u.data as the team keeps them (no header)",
  group: "ingestion",
  format: "csv",
  prefix: () => FILES_PREFIX,
  observe: Effect.gen(function* () {
    const files = yield* (yield* Lake).list(FILES_PREFIX)
    return { _tag: "Whole" as const, dataVersion: shortHash(...files.map((f) => `${f.path} ${f.size} ${f.tag}`)) }
  })
})

const csvField = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)

/** A headerless file split into named text columns; a line with the wrong number of fields keeps only its problem. */
const rawFile = (key: string, file: string, separator: string, columns: ReadonlyArray<string>) =>
  defineAsset({
    key,
    description: `${file} with its column names, every field as text`,
    group: "ingestion",
    zone: "landing",
    format: "csv",
    deps: { files: handKept },
    schema: Schema.Struct({
      line_number: Column.text,
      ...(Object.fromEntries(columns.map((c) => [c, Column.nullable(Column.text)])) as Record<string, Schema.NullOr<typeof Column.text>>),
      problem: Column.nullable(Column.text),
      line: Column.text
    }),
    codeVersion: `raw-file-2:${file}:${JSON.stringify(separator)}:${columns.join(",")}`,
    compute: (ctx) =>
      Effect.gen(function* () {
        const lake = yield* Lake
        const text = yield* lake.read(`${FILES_PREFIX}${file}`).pipe(Stream.decodeText(), Stream.mkString)
        const out = [["line_number", ...columns, "problem", "line"].join(",")]
        text.split("\n").forEach((line, i) => {
          if (line.trim() === "") return
          const fields = line.replace(/\r$/, "").split(separator)
          const fits = fields.length === columns.length
          const values = fits ? fields : columns.map(() => "")
          out.push([String(i + 1), ...values, fits ? "" : `expected ${columns.length} fields, found ${fields.length}`, line].map(csvField).join(","))
        })
        yield* lake.write(ctx.outputPath, new TextEncoder().encode(`${out.join("\n")}\n`))
      })
  })

export const rawUsers = rawFile("raw_users", "u.user", "|", ["userid", "age", "gender", "occupation", "zipcode"])
export const rawMovies = rawFile("raw_movies", "u.item", "|", ["movieid", "movie_title", "release_date", "video_release_date", "imdb_url", ...GENRES])
export const rawRatings = rawFile("raw_ratings", "u.data", "\t", ["userid", "itemid", "rating", "timestamp"])

/** A line that did not fit, as `assets preview <asset> --rejected` lists them: where it is, why, and its text. */
const Rejected = Schema.Struct({ source_file: Column.text, line_number: Column.bigint, reason: Column.text, line: Column.text })

/**
 * Typed columns over a raw file: `parse` gives each column's SQL value (NULL when it does not parse), `reasons`
 * the first broken rule of a line (a CASE branch each). Kept rows and rejected ones are one query apart.
 */
const typed = <Row>(options: {
  key: string
  description: string
  raw: AssetDef<any, any>
  file: string
  schema: Schema.Schema<Row, any, never>
  parse: ReadonlyArray<readonly [string, string]>
  reasons: ReadonlyArray<readonly [string, string]>
  deps?: Readonly<Record<string, AssetDef<any, any>>>
}) => {
  const judged = (raw: string) => `WITH parsed AS (
    SELECT r.*, ${options.parse.map(([name, expr]) => `${expr} AS "v_${name}"`).join(", ")} FROM ${raw} AS r
  ), judged AS (
    SELECT *, CASE WHEN problem IS NOT NULL THEN problem ${options.reasons.map(([when, why]) => `WHEN ${when} THEN ${why}`).join(" ")} END AS reason FROM parsed
  )`
  return defineAsset({
    key: options.key,
    description: options.description,
    group: "ingestion",
    deps: { raw: options.raw, ...(options.deps ?? {}) },
    schema: options.schema,
    sql: ({ inputs }) => `${judged(inputs.raw!)}
      SELECT ${options.parse.map(([name]) => `"v_${name}" AS "${name}"`).join(", ")} FROM judged WHERE reason IS NULL ORDER BY 1`,
    sideOutputs: {
      rejected: { schema: Rejected, countBy: "reason", sql: ({ inputs }) => `${judged(inputs.raw!)} SELECT '${options.file}' AS source_file, CAST(line_number AS BIGINT) AS line_number, reason, line FROM judged WHERE reason IS NOT NULL ORDER BY 2` }
    }
  })
}

const int = (c: string) => `TRY_CAST(${c} AS INTEGER)`
const notNumber = (c: string) => [`"v_${c}" IS NULL`, `'${c} is not a number: ' || coalesce(${c}, '')`] as const

export const users = typed({
  key: "users",
  description: "Funflix's users, typed",
  raw: rawUsers,
  file: "u.user",
  schema: Schema.Struct({ userid: primaryKey(Column.int), age: Column.int, gender: Column.enum("M", "F"), occupation: Column.text, zipcode: Column.text }),
  parse: [["userid", int("userid")], ["age", int("age")], ["gender", "gender"], ["occupation", "occupation"], ["zipcode", "zipcode"]],
  reasons: [notNumber("userid"), notNumber("age"), [`gender NOT IN ('M', 'F')`, `'gender is not M or F: ' || gender`], ["occupation IS NULL", "'occupation is empty'"], ["zipcode IS NULL", "'zipcode is empty'"]]
})

const date = (c: string) => `CAST(try_strptime(${c}, '%d-%b-%Y') AS DATE)`
export const movies = typed({
  key: "movies",
  description: "movies with their release dates and 19 genre flags, typed",
  raw: rawMovies,
  file: "u.item",
  schema: Schema.Struct({
    movieid: primaryKey(Column.int),
    movie_title: Column.text,
    release_date: Column.date,
    video_release_date: Column.nullable(Column.date),
    imdb_url: Column.nullable(Column.text),
    ...Object.fromEntries(GENRES.map((g) => [g, Column.bool])) as Record<(typeof GENRES)[number], typeof Column.bool>
  }),
  parse: [
    ["movieid", int("movieid")],
    ["movie_title", "movie_title"],
    ["release_date", date("release_date")],
    ["video_release_date", date("video_release_date")],
    ["imdb_url", "imdb_url"],
    ...GENRES.map((g) => [g, `CASE ${g} WHEN '1' THEN true WHEN '0' THEN false END`] as const)
  ],
  reasons: [
    notNumber("movieid"),
    ["movie_title IS NULL", "'movie_title is empty'"],
    [`"v_release_date" IS NULL`, `'release_date is not a DD-Mon-YYYY date: ' || coalesce(release_date, '')`],
    ...GENRES.map((g) => [`"v_${g}" IS NULL`, `'${g} is not 0 or 1'`] as const)
  ]
})

export const ratings = typed({
  key: "ratings",
  description: "one row per rating, its Unix time as a UTC timestamp",
  raw: rawRatings,
  file: "u.data",
  schema: Schema.Struct({ userid: references(Column.int, users), itemid: references(Column.int, movies, "movieid"), rating: Column.int, rated_at: Column.timestamp }),
  parse: [["userid", int("userid")], ["itemid", int("itemid")], ["rating", int("rating")], ["rated_at", `timezone('UTC', to_timestamp(TRY_CAST("timestamp" AS BIGINT)))`]],
  reasons: [notNumber("userid"), notNumber("itemid"), notNumber("rating"), [`"v_rating" NOT BETWEEN 1 AND 5`, `'rating out of 1..5: ' || rating`], [`"v_rated_at" IS NULL`, `'timestamp is not Unix seconds: ' || coalesce("timestamp", '')`]]
})

export const ingestionAssets = [handKept, rawUsers, rawMovies, rawRatings, users, movies, ratings]
