WITH lines AS (
    SELECT filename, line_number, line, (try(json_parse(line)) IS NOT NULL) AS valid_json,
           regexp_extract(filename, '/streaming/([0-9]{4})/([0-9]{2})/', 1) || '-' ||
           regexp_extract(filename, '/streaming/([0-9]{4})/([0-9]{2})/', 2) AS landing_month
    FROM (SELECT "$path" AS filename, row_number() OVER (PARTITION BY "$path") AS line_number, line FROM "sakila"."streaming_landing" WHERE (("year" = '2023' AND "month" = '03') OR ("year" = '2023' AND "month" = '04')) AND "$path" IN ('s3://lake-bucket/lake/landing/streaming/2023/03/part-0001.jsonl', 's3://lake-bucket/lake/landing/streaming/2023/04/part-0001.jsonl'))
  ), fields AS (
    SELECT *,
      CASE WHEN valid_json THEN json_extract_scalar(line, '$.timestamp') END AS ts_text,
      CASE WHEN valid_json THEN json_extract_scalar(line, '$.eventType') END AS event_type,
      CASE WHEN valid_json THEN json_extract_scalar(line, '$.film_id') END AS film_id_text,
      CASE WHEN valid_json THEN json_extract_scalar(line, '$.distributor') END AS distributor,
      CASE WHEN valid_json THEN json_extract_scalar(line, '$.platform') END AS platform,
      CASE WHEN valid_json THEN json_extract_scalar(line, '$.state') END AS state
    FROM lines
  ), typed AS (
    SELECT *,
      CAST(at_timezone(try(from_iso8601_timestamp(ts_text)), 'UTC') AS timestamp) AS event_time,
      TRY_CAST(film_id_text AS integer) AS film_id
    FROM fields
  ), checked AS (
    SELECT *, CASE
      WHEN NOT valid_json THEN 'invalid JSON'
      WHEN ts_text IS NULL THEN 'missing field: timestamp'
      WHEN event_type IS NULL THEN 'missing field: eventType'
      WHEN film_id_text IS NULL THEN 'missing field: film_id'
      WHEN distributor IS NULL THEN 'missing field: distributor'
      WHEN platform IS NULL THEN 'missing field: platform'
      WHEN state IS NULL THEN 'missing field: state'
      WHEN event_time IS NULL THEN 'bad timestamp: ' || ts_text
      WHEN event_type NOT IN ('rent', 'buy', 'trailer') THEN 'unknown eventType: ' || event_type
      WHEN film_id IS NULL OR film_id NOT BETWEEN 1 AND 1000 THEN 'film_id out of range: ' || film_id_text
      WHEN date_format(event_time, '%Y-%m') > landing_month THEN 'event time is after its arrival month ' || landing_month
      WHEN date_format(event_time, '%Y-%m') < date_format(CAST(landing_month || '-01' AS date) - INTERVAL '1' MONTH, '%Y-%m')
        THEN 'arrived in ' || landing_month || ', later than the 1-month lateness window'
    END AS reason
    FROM typed
  )
        SELECT regexp_extract(filename, 'landing/.*$') AS source_file, line_number, line, reason
        FROM checked
        WHERE reason IS NOT NULL AND landing_month = '2023-03'
