/**
 * Movalytics: landing CSVs by arrival month -> staging tables (the month's delivery as sent, checked for its
 * columns) -> normalized tables upserted by key (`incremental: { mode: "merge", key }`: a month's output is the
 * previous month's with the delivery merged in; a movie leaves only when a delivery flags it deleted) -> a report
 * joining ratings with the consumer price index by month. Each normalized table has blocking checks (more than one
 * row, no NULL id); every asset runs daily at 06:00 UTC under `assets daemon`.
 */
import { Effect, Schema, Stream } from "effect"
import { Column, defineAsset, defineSource, Lake, monthly, notNull, onCron, primaryKey, references, rowCount, shortHash, type PartitionKey } from "sakila-assets"
import { TABLES, type Table } from "./generate.js"

/** One partition per arrival month. */
export const arrivals = monthly({ start: "2023-01", end: "2023-12" })
const daily = onCron("0 6 * * *")

const folder = (t: Table) => `landing/movalytics/${t}/`
const landing = (t: Table) =>
  defineSource({
    key: `landing_${t}`,
    description: `${t}.csv deliveries, by arrival month`,
    group: "landing",
    partitions: arrivals,
    format: "csv",
    prefix: (month) => `${folder(t)}${month!.slice(0, 4)}/${month!.slice(5, 7)}/`,
    observe: Effect.gen(function* () {
      const byMonth = new Map<PartitionKey, string>()
      for (const f of yield* (yield* Lake).list(folder(t))) {
        const m = /\/(\d{4})\/(\d{2})\/[^/]+\.csv$/.exec(f.path)
        if (m === null) continue
        const key = `${m[1]}-${m[2]}` as PartitionKey
        byMonth.set(key, shortHash(byMonth.get(key) ?? "", f.path, String(f.size), f.tag))
      }
      return { _tag: "Partitioned" as const, partitions: byMonth }
    })
  })

/** The checks of every table: blocking, so a delivery or a merge that breaks them is never published. */
const tableChecks = (ids: ReadonlyArray<string>) => [rowCount({ min: 2 }, { name: "more_than_one_row" }), notNull(ids, { name: "no_null_ids" })]

/** The id columns of each delivery, as sent. */
const IDS: Record<Table, ReadonlyArray<string>> = { movies_metadata: ["id"], ratings: ["userId", "movieId"], credits: ["id"], links: ["movieId"], cpi: ["period"] }

/**
 * A month's delivery of a table as sent: its files joined, every value as text (so nothing is lost before the
 * checks look at it), its header checked.
 */
const staging = (t: Table) => {
  const columns = TABLES[t]
  return defineAsset({
    key: `stg_${t}`,
    description: `the ${t} delivery of an arrival month, as sent`,
    group: "staging",
    zone: "clean",
    format: "csv",
    partitions: arrivals,
    deps: { files: landing(t) },
    schema: Schema.Struct(Object.fromEntries(columns.map((c) => [c, Column.nullable(Column.text)])) as Record<string, Schema.NullOr<typeof Column.text>>),
    codeVersion: `staging-1:${columns.join(",")}`,
    checks: tableChecks(IDS[t]),
    automation: daily,
    compute: (ctx) =>
      Effect.gen(function* () {
        const lake = yield* Lake
        const lines = [columns.join(",")]
        for (const path of ctx.inputs.files!.paths) {
          const [header, ...rows] = (yield* lake.read(path).pipe(Stream.decodeText(), Stream.mkString)).split("\n").filter((l) => l.trim() !== "")
          if (header?.trim() !== columns.join(",")) return yield* Effect.fail(new Error(`${path} has the columns ${header}, expected ${columns.join(",")}`))
          lines.push(...rows)
        }
        yield* lake.write(ctx.outputPath, new TextEncoder().encode(`${lines.join("\n")}\n`))
      })
  })
}

export const stgMovies = staging("movies_metadata")
export const stgRatings = staging("ratings")
export const stgCredits = staging("credits")
export const stgLinks = staging("links")
export const stgCpi = staging("cpi")


export const movies = defineAsset({
  key: "movies",
  description: "every movie known, upserted by id; a movie leaves only when a delivery flags it deleted",
  group: "normalized",
  partitions: arrivals,
  deps: { stg: stgMovies },
  incremental: { mode: "merge", key: ["movie_id"], deleteFlag: "_deleted" },
  schema: Schema.Struct({
    movie_id: primaryKey(Column.int),
    imdb_id: Column.text,
    title: Column.text,
    original_language: Column.text,
    release_date: Column.nullable(Column.date),
    budget: Column.bigint,
    revenue: Column.bigint,
    runtime: Column.nullable(Column.int),
    popularity: Column.double,
    vote_average: Column.double,
    vote_count: Column.int
  }),
  checks: tableChecks(["movie_id"]),
  automation: daily,
  sql: ({ inputs }) => `
    SELECT CAST(id AS INTEGER) AS movie_id, imdb_id, title, original_language, TRY_CAST(release_date AS DATE) AS release_date,
           CAST(budget AS BIGINT) AS budget, CAST(revenue AS BIGINT) AS revenue, TRY_CAST(runtime AS INTEGER) AS runtime,
           CAST(popularity AS DOUBLE) AS popularity, CAST(vote_average AS DOUBLE) AS vote_average, CAST(vote_count AS INTEGER) AS vote_count,
           coalesce(deleted, '0') = '1' AS _deleted
    FROM ${inputs.stg}`
})

export const ratings = defineAsset({
  key: "ratings",
  description: "one rating per user and movie, upserted",
  group: "normalized",
  partitions: arrivals,
  deps: { stg: stgRatings },
  incremental: { mode: "merge", key: ["user_id", "movie_id"] },
  schema: Schema.Struct({ user_id: primaryKey(Column.int), movie_id: primaryKey(references(Column.int, movies)), rating: Column.double, rated_at: Column.timestamp }),
  checks: tableChecks(["user_id", "movie_id"]),
  automation: daily,
  sql: ({ inputs }) => `
    SELECT CAST("userId" AS INTEGER) AS user_id, CAST("movieId" AS INTEGER) AS movie_id, CAST(rating AS DOUBLE) AS rating,
           timezone('UTC', to_timestamp(CAST("timestamp" AS BIGINT))) AS rated_at
    FROM ${inputs.stg}`
})

export const credits = defineAsset({
  key: "credits",
  description: "each movie's director, lead and cast size, upserted",
  group: "normalized",
  partitions: arrivals,
  deps: { stg: stgCredits },
  incremental: { mode: "merge", key: ["movie_id"] },
  schema: Schema.Struct({ movie_id: primaryKey(references(Column.int, movies)), director: Column.text, lead_actor: Column.text, cast_size: Column.int }),
  checks: tableChecks(["movie_id"]),
  automation: daily,
  sql: ({ inputs }) => `SELECT CAST(id AS INTEGER) AS movie_id, director, lead_actor, CAST(cast_size AS INTEGER) AS cast_size FROM ${inputs.stg}`
})

export const links = defineAsset({
  key: "links",
  description: "each movie's IMDb and TMDb ids, upserted",
  group: "normalized",
  partitions: arrivals,
  deps: { stg: stgLinks },
  incremental: { mode: "merge", key: ["movie_id"] },
  schema: Schema.Struct({ movie_id: primaryKey(references(Column.int, movies)), imdb_id: Column.int, tmdb_id: Column.int }),
  checks: tableChecks(["movie_id"]),
  automation: daily,
  sql: ({ inputs }) => `SELECT CAST("movieId" AS INTEGER) AS movie_id, CAST("imdbId" AS INTEGER) AS imdb_id, CAST("tmdbId" AS INTEGER) AS tmdb_id FROM ${inputs.stg}`
})

export const cpi = defineAsset({
  key: "cpi",
  description: "the consumer price index by month, upserted (a revised month replaces its value)",
  group: "normalized",
  partitions: arrivals,
  deps: { stg: stgCpi },
  incremental: { mode: "merge", key: ["period"] },
  schema: Schema.Struct({ period: primaryKey(Column.text), cpi: Column.double }),
  checks: tableChecks(["period"]),
  automation: daily,
  sql: ({ inputs }) => `SELECT period, CAST(cpi AS DOUBLE) AS cpi FROM ${inputs.stg}`
})

/** Ratings by the month they were given, beside that month's CPI: as known at each arrival month. */
export const ratingsByCpi = defineAsset({
  key: "ratings_by_cpi",
  description: "ratings per month of rating joined with that month's consumer price index",
  group: "reports",
  partitions: arrivals,
  deps: { ratings, cpi },
  schema: Schema.Struct({
    rating_month: primaryKey(references(Column.text, cpi, "period")),
    ratings: Column.bigint,
    average_rating: Column.double,
    cpi: Column.double,
    rating_per_100_cpi: Column.double
  }),
  automation: daily,
  sql: ({ inputs }) => `
    SELECT r.rating_month, CAST(count(*) AS BIGINT) AS ratings, round(avg(r.rating), 4) AS average_rating, c.cpi,
           round(avg(r.rating) / c.cpi * 100, 6) AS rating_per_100_cpi
    FROM (SELECT strftime(rated_at, '%Y-%m') AS rating_month, rating FROM ${inputs.ratings}) AS r
    JOIN ${inputs.cpi} AS c ON c.period = r.rating_month
    GROUP BY r.rating_month, c.cpi
    ORDER BY r.rating_month`
})

export const landingSources = [stgMovies, stgRatings, stgCredits, stgLinks, stgCpi].map((s) => s.deps["files"]!.asset)
export const movalyticsAssets = [...landingSources, stgMovies, stgRatings, stgCredits, stgLinks, stgCpi, movies, ratings, credits, links, cpi, ratingsByCpi]
