SELECT CAST(film_id AS integer) AS film_id, CAST(category_id AS integer) AS category_id, CAST(last_update AS timestamp) AS last_update
    FROM (SELECT NULLIF("film_id", '') AS "film_id", NULLIF("category_id", '') AS "category_id", NULLIF("last_update", '') AS "last_update" FROM "sakila"."raw_film_category")
