SELECT f.film_id, f.title, f.description, f.release_year,
           l.name AS language, ol.name AS original_language,
           f.length, f.rating, f.special_features,
           c.category_id, c.name AS category_name
    FROM (SELECT "film_id", "title", "description", "release_year", "language_id", "original_language_id", "rental_duration", "rental_rate", "length", "replacement_cost", "rating", "special_features", "last_update" FROM "sakila"."clean_film") AS f
    JOIN (SELECT "language_id", "name", "last_update" FROM "sakila"."clean_language") AS l ON l.language_id = f.language_id
    LEFT JOIN (SELECT "language_id", "name", "last_update" FROM "sakila"."clean_language") AS ol ON ol.language_id = f.original_language_id
    LEFT JOIN (SELECT "film_id", "category_id", "last_update" FROM "sakila"."clean_film_category") AS fc ON fc.film_id = f.film_id
    LEFT JOIN (SELECT "category_id", "name", "last_update" FROM "sakila"."clean_category") AS c ON c.category_id = fc.category_id
