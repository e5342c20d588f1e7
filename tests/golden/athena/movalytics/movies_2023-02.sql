WITH delivery AS (
    SELECT CAST(id AS integer) AS movie_id, imdb_id, title, original_language, TRY_CAST(release_date AS date) AS release_date,
           CAST(budget AS bigint) AS budget, CAST(revenue AS bigint) AS revenue, TRY_CAST(runtime AS integer) AS runtime,
           CAST(popularity AS double) AS popularity, CAST(vote_average AS double) AS vote_average, CAST(vote_count AS integer) AS vote_count,
           coalesce(deleted, '0') = '1' AS _deleted
    FROM (SELECT NULLIF("id", '') AS "id", NULLIF("imdb_id", '') AS "imdb_id", NULLIF("title", '') AS "title", NULLIF("original_language", '') AS "original_language", NULLIF("release_date", '') AS "release_date", NULLIF("budget", '') AS "budget", NULLIF("revenue", '') AS "revenue", NULLIF("runtime", '') AS "runtime", NULLIF("popularity", '') AS "popularity", NULLIF("vote_average", '') AS "vote_average", NULLIF("vote_count", '') AS "vote_count", NULLIF("deleted", '') AS "deleted" FROM "movalytics"."stg_movies_metadata" WHERE (("year" = '2023' AND "month" = '02'))))
SELECT p."movie_id", p."imdb_id", p."title", p."original_language", p."release_date", p."budget", p."revenue", p."runtime", p."popularity", p."vote_average", p."vote_count" FROM (SELECT "movie_id", "imdb_id", "title", "original_language", "release_date", "budget", "revenue", "runtime", "popularity", "vote_average", "vote_count" FROM "movalytics"."movies" WHERE (("year" = '2023' AND "month" = '01'))) AS p
WHERE NOT EXISTS (SELECT 1 FROM delivery AS d WHERE p."movie_id" = d."movie_id")
UNION ALL
SELECT d."movie_id", d."imdb_id", d."title", d."original_language", d."release_date", d."budget", d."revenue", d."runtime", d."popularity", d."vote_average", d."vote_count" FROM delivery AS d WHERE NOT coalesce(d."_deleted", false)
