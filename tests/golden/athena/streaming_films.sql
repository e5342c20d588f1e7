SELECT s.event_time, s.event_type, s.film_id, f.title, f.rating, f.language, f.category_id, f.category_name,
           s.distributor, s.platform, s.state
    FROM (SELECT "event_time", "event_type", "film_id", "distributor", "platform", "state", "event_timestamp", "landing_month" FROM "sakila"."streaming_partitions" WHERE (("year" = '2023' AND "month" = '03'))) AS s
    LEFT JOIN (SELECT "film_id", "title", "description", "release_year", "language", "original_language", "length", "rating", "special_features", "category_id", "category_name" FROM "sakila"."film_category") AS f ON f.film_id = s.film_id
