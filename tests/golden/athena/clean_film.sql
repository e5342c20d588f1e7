SELECT
      CAST(film_id AS integer) AS film_id,
      title,
      description,
      CAST(release_year AS integer) AS release_year,
      CAST(language_id AS integer) AS language_id,
      CAST(original_language_id AS integer) AS original_language_id,
      CAST(rental_duration AS integer) AS rental_duration,
      CAST(rental_rate AS double) AS rental_rate,
      CAST(length AS integer) AS length,
      CAST(replacement_cost AS double) AS replacement_cost,
      rating,
      CASE WHEN special_features IS NULL OR special_features = '' THEN NULL ELSE split(special_features, ',') END AS special_features,
      CAST(last_update AS timestamp) AS last_update
    FROM (SELECT NULLIF("film_id", '') AS "film_id", NULLIF("title", '') AS "title", NULLIF("description", '') AS "description", NULLIF("release_year", '') AS "release_year", NULLIF("language_id", '') AS "language_id", NULLIF("original_language_id", '') AS "original_language_id", NULLIF("rental_duration", '') AS "rental_duration", NULLIF("rental_rate", '') AS "rental_rate", NULLIF("length", '') AS "length", NULLIF("replacement_cost", '') AS "replacement_cost", NULLIF("rating", '') AS "rating", NULLIF("special_features", '') AS "special_features", NULLIF("last_update", '') AS "last_update" FROM "sakila"."raw_film")
