SELECT coalesce(category_name, 'Unknown') AS category_name,
      CAST(sum(streams) AS bigint) AS streams,
      CAST(sum(rent) AS bigint) AS rent,
      CAST(sum(buy) AS bigint) AS buy,
      CAST(sum(trailer) AS bigint) AS trailer
    FROM (SELECT "category_name", "state", "streams", "rent", "buy", "trailer" FROM "sakila"."streaming_counts" WHERE (("year" = '2023' AND "month" = '03')))
    GROUP BY 1
