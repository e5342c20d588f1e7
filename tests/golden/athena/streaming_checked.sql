WITH lines AS (
    SELECT filename, line_number, line,
           regexp_extract(filename, '/streaming/([0-9]{4})/([0-9]{2})/', 1) || '-' ||
           regexp_extract(filename, '/streaming/([0-9]{4})/([0-9]{2})/', 2) AS landing_month
    FROM (SELECT "$path" AS filename, row_number() OVER (PARTITION BY "$path" ORDER BY line) AS line_number, line FROM "sakila"."streaming_landing" WHERE (("year" = '2023' AND "month" = '03') OR ("year" = '2023' AND "month" = '04')) AND "$path" IN ('s3://lake-bucket/lake/landing/streaming/2023/03/part-0001.jsonl', 's3://lake-bucket/lake/landing/streaming/2023/04/part-0001.jsonl'))
  ), parsed AS (
    SELECT *, CASE WHEN length(line) <= 65536 THEN (try(json_parse(line)) IS NOT NULL) ELSE false END AS valid_json
    FROM lines
  ), objects AS (
    SELECT *, valid_json AND coalesce(regexp_extract(line, '^[ \t\r]*[{]') <> '', false) AS is_object FROM parsed
  ), extracted AS (
    -- one extraction with a list of paths parses the line once, where one per field parsed it six times (a third of
    -- the checks' time in DuckDB); the list is the fields in FIELDS' order
    SELECT *,
      CASE WHEN is_object THEN ARRAY[json_extract_scalar(line, '$.timestamp'), json_extract_scalar(line, '$.eventType'), json_extract_scalar(line, '$.film_id'), json_extract_scalar(line, '$.distributor'), json_extract_scalar(line, '$.platform'), json_extract_scalar(line, '$.state')] END AS extracted_fields,
      CASE WHEN is_object THEN map_keys(try(CAST(json_parse(line) AS map(varchar, json)))) END AS keys
    FROM objects
  ), fields AS (
    SELECT *,
      extracted_fields[1] AS ts_text,
      extracted_fields[2] AS event_type,
      extracted_fields[3] AS film_id_text,
      extracted_fields[4] AS distributor,
      extracted_fields[5] AS platform,
      extracted_fields[6] AS state
    FROM extracted
  ), formed AS (
    SELECT *,
      -- the keys named more than once, in order. A line with as many keys as there are fields, each of them found,
      -- names none twice: the list is walked (once per key) only for the others
      CASE WHEN cardinality(keys) = 6 AND ts_text IS NOT NULL AND event_type IS NOT NULL AND film_id_text IS NOT NULL AND distributor IS NOT NULL AND platform IS NOT NULL AND state IS NOT NULL THEN ARRAY[]
        ELSE filter(keys, k -> filter(keys, j -> j = k) <> ARRAY[k]) END AS repeated_keys,
      coalesce(regexp_extract(ts_text, '^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,6})?(Z|[+-][0-9]{2}:[0-5][0-9])$') <> '', false) AS ts_well_formed,
      coalesce(regexp_extract(film_id_text, '^-?(0|[1-9][0-9]*)$') <> '', false) AS film_id_integer
    FROM fields
  ), typed AS (
    SELECT *,
      CASE WHEN ts_well_formed THEN CAST(at_timezone(try(from_iso8601_timestamp(ts_text)), 'UTC') AS timestamp) END AS event_time,
      CASE WHEN film_id_integer THEN TRY_CAST(film_id_text AS integer) END AS film_id
    FROM formed
  ), checked AS (
    SELECT *, CASE
      WHEN line IS NULL THEN 'invalid UTF-8'
      WHEN line = '' THEN 'empty line'
      WHEN length(line) > 65536 THEN 'line too long: ' || CAST(length(line) AS varchar) || ' characters, the limit is 65536'
      WHEN NOT valid_json THEN 'invalid JSON'
      WHEN NOT is_object THEN 'not a JSON object'
      -- Trino cannot read an object that repeats a key as a map, so its keys are NULL there (never in DuckDB)
      WHEN keys IS NULL THEN 'duplicate field'
      WHEN repeated_keys <> ARRAY[] THEN 'duplicate field ' || repeated_keys[1]
      WHEN ts_text IS NULL THEN 'missing field: timestamp'
      WHEN event_type IS NULL THEN 'missing field: eventType'
      WHEN film_id_text IS NULL THEN 'missing field: film_id'
      WHEN distributor IS NULL THEN 'missing field: distributor'
      WHEN platform IS NULL THEN 'missing field: platform'
      WHEN state IS NULL THEN 'missing field: state'
      WHEN NOT ts_well_formed THEN 'bad timestamp, not YYYY-MM-DDThh:mm:ss with an offset: ' || ts_text
      WHEN NOT coalesce(regexp_extract(ts_text, '(Z|[+-](0[0-9]|1[0-7]):[0-5][0-9]|[+-]18:00)$') <> '', false) THEN 'bad timestamp, offset beyond ±18:00: ' || ts_text
      WHEN event_time IS NULL THEN 'bad timestamp, no such date or time: ' || ts_text
      WHEN event_type NOT IN ('rent', 'buy', 'trailer') THEN 'unknown eventType: ' || event_type
      WHEN NOT coalesce(regexp_extract(film_id_text, '^-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][+-]?[0-9]+)?$') <> '', false) THEN 'film_id is not a number: ' || film_id_text
      WHEN NOT film_id_integer THEN 'film_id is not an integer: ' || film_id_text
      WHEN film_id IS NULL OR film_id NOT BETWEEN 1 AND 1000 THEN 'film_id out of range: ' || film_id_text
      WHEN date_format(event_time, '%Y-%m') > landing_month THEN 'event time is after its arrival month ' || landing_month
      WHEN date_format(event_time, '%Y-%m') < date_format(CAST(landing_month || '-01' AS date) - INTERVAL '1' MONTH, '%Y-%m')
        THEN 'arrived in ' || landing_month || ', later than the 1-month lateness window'
    END AS reason
    FROM typed
  )
    SELECT regexp_extract(filename, 'landing/.*$') AS source_file, line_number, landing_month,
      CASE WHEN reason IS NOT NULL THEN line END AS line, reason,
      CASE WHEN reason IS NULL THEN event_time END AS event_time,
      CASE WHEN reason IS NULL THEN event_type END AS event_type,
      CASE WHEN reason IS NULL THEN film_id END AS film_id,
      CASE WHEN reason IS NULL THEN distributor END AS distributor,
      CASE WHEN reason IS NULL THEN platform END AS platform,
      CASE WHEN reason IS NULL THEN state END AS state,
      CASE WHEN reason IS NULL THEN ts_text END AS event_timestamp
    FROM checked
