SELECT category_name, state,
      CAST(count(*) AS bigint) AS streams,
      CAST(count(*) FILTER (WHERE event_type = 'rent') AS bigint) AS rent,
      CAST(count(*) FILTER (WHERE event_type = 'buy') AS bigint) AS buy,
      CAST(count(*) FILTER (WHERE event_type = 'trailer') AS bigint) AS trailer
    FROM (SELECT "event_time", "event_type", "film_id", "title", "rating", "language", "category_id", "category_name", "distributor", "platform", "state" FROM "sakila"."streaming_films" WHERE (("year" = '2023' AND "month" = '03')))
    GROUP BY 1, 2
