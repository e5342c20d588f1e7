WITH per_file AS (
    -- numbered 1..n in each file, so the last number is how many lines the file has
    SELECT max(line_number) AS numbered,
      count(*) FILTER (WHERE reason IS NULL AND date_format(event_time, '%Y-%m') < '2023-03') AS accepted_late,
      count(*) FILTER (WHERE reason IS NULL) AS accepted,
      count(*) FILTER (WHERE reason IS NOT NULL) AS rejected
    FROM (SELECT "source_file", "line_number", "landing_month", "line", "reason", "event_time", "event_type", "film_id", "distributor", "platform", "state", "event_timestamp" FROM "sakila"."streaming_checked" WHERE (("year" = '2023' AND "month" = '03'))) WHERE landing_month = '2023-03' GROUP BY source_file
  ), counted AS (
    SELECT count(*) AS files, coalesce(sum(numbered), 0) AS lines, coalesce(sum(accepted_late), 0) AS accepted_late,
      coalesce(sum(accepted), 0) AS accepted, coalesce(sum(rejected), 0) AS rejected
    FROM per_file
  )
  SELECT '2023-03' AS landing_month, CAST(files AS bigint) AS files, CAST(lines AS bigint) AS lines,
    CAST(accepted_late AS bigint) AS accepted_late, CAST(accepted AS bigint) AS accepted,
    -- neither engine has a fail() the other knows; a text cast to a number fails in both and carries the message
    CASE WHEN lines = accepted + rejected THEN CAST(rejected AS bigint)
      ELSE CAST('arrival month 2023-03: ' || CAST(lines AS varchar) || ' lines in, but ' || CAST(accepted AS varchar) || ' accepted and '
        || CAST(rejected AS varchar) || ' rejected' AS bigint) END AS rejected
  FROM counted
