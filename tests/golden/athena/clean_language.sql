SELECT CAST(language_id AS integer) AS language_id, trim(name) AS name, CAST(last_update AS timestamp) AS last_update
    FROM (SELECT NULLIF("language_id", '') AS "language_id", NULLIF("name", '') AS "name", NULLIF("last_update", '') AS "last_update" FROM "sakila"."raw_language")
