SELECT CAST(category_id AS integer) AS category_id, name, CAST(last_update AS timestamp) AS last_update
    FROM (SELECT NULLIF("category_id", '') AS "category_id", NULLIF("name", '') AS "name", NULLIF("last_update", '') AS "last_update" FROM "sakila"."raw_category")
