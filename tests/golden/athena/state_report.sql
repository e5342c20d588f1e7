SELECT state,
      CAST(sum(n) AS bigint) AS streams,
      CAST(coalesce(sum(n) FILTER (WHERE event_type = 'rent'), 0) AS bigint) AS rent,
      CAST(coalesce(sum(n) FILTER (WHERE event_type = 'buy'), 0) AS bigint) AS buy,
      CAST(coalesce(sum(n) FILTER (WHERE event_type = 'trailer'), 0) AS bigint) AS trailer
    FROM (
      SELECT state, event_type, count(*) AS n
      FROM (SELECT "event_time", "event_type", "film_id", "title", "rating", "language", "category_id", "category_name", "distributor", "platform", "state" FROM "sakila"."streaming_films" WHERE (("year" = '2023' AND "month" = '03')))
      GROUP BY 1, 2
    ) AS by_type
    GROUP BY 1
