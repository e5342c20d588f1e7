-- The Sakila pipeline as one hand-written DuckDB script: the baseline of bench/pipeline.ts.
--
-- Run in a folder holding the landed events (landing/streaming/YYYY/MM/*) and the raw Sakila CSVs the framework
-- extracted once (landing/raw_<table>/data.csv); it writes every dataset the pipeline writes under out/, in a
-- layout of its own: clean tables, film_category, the events by UTC month, the rejected lines by arrival month,
-- the line accounting, streaming_films by month and the three reports. bench/pipelineScript.mjs runs it one
-- statement at a time (statements end with a semicolon at the end of a line; each starts with a `-- step:` name).
--
-- The rules are assets/streamingRules.ts's, written out again with the same functions and patterns, so that the
-- difference from the pipeline is how the work is organised, not how a line is parsed: here every landed line is
-- read, decoded and checked once, into one table, and every output is written from it.

-- step: read and check every landed line
CREATE TEMP TABLE checked AS
WITH files AS (
  -- a file is read as bytes: decoded whole when it is all UTF-8, else split on its \x0A rendering and decoded line
  -- by line (a line that does not decode is NULL); the last newline ends a line, it does not start one
  SELECT filename,
    regexp_extract(filename, '/streaming/([0-9]{4})/([0-9]{2})/', 1) || '-' ||
      regexp_extract(filename, '/streaming/([0-9]{4})/([0-9]{2})/', 2) AS landing_month,
    coalesce(
      string_split(TRY(decode(content)), chr(10)),
      list_transform(string_split(content::VARCHAR, '\x0A'), p -> TRY(decode(p::BLOB)))) AS parts
  FROM read_blob('landing/streaming/*/*/*')
), lines AS (
  SELECT filename, landing_month, unnest(range(1, len(lines) + 1)) AS line_number, unnest(lines) AS line
  FROM (SELECT filename, landing_month, CASE WHEN parts[-1] = '' THEN parts[:-2] ELSE parts END AS lines FROM files)
), parsed AS (
  SELECT *, CASE WHEN length(line) <= 65536 THEN json_valid(line) ELSE false END AS valid_json FROM lines
), objects AS (
  SELECT *, valid_json AND coalesce(regexp_extract(line, '^[ \t\r]*[{]') <> '', false) AS is_object FROM parsed
), extracted AS (
  SELECT *,
    CASE WHEN is_object THEN json_extract_string(line, ARRAY['$.timestamp', '$.eventType', '$.film_id', '$.distributor', '$.platform', '$.state']) END AS f,
    CASE WHEN is_object THEN json_keys(line) END AS keys
  FROM objects
), fields AS (
  SELECT *, f[1] AS ts_text, f[2] AS event_type, f[3] AS film_id_text, f[4] AS distributor, f[5] AS platform, f[6] AS state
  FROM extracted
), formed AS (
  SELECT *,
    CASE WHEN array_length(keys) = 6 AND ts_text IS NOT NULL AND event_type IS NOT NULL AND film_id_text IS NOT NULL AND distributor IS NOT NULL
        AND platform IS NOT NULL AND state IS NOT NULL THEN ARRAY[]
      ELSE filter(keys, k -> filter(keys, j -> j = k) <> ARRAY[k]) END AS repeated_keys,
    coalesce(regexp_extract(ts_text, '^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,6})?(Z|[+-][0-9]{2}:[0-5][0-9])$') <> '', false) AS ts_well_formed,
    coalesce(regexp_extract(film_id_text, '^-?(0|[1-9][0-9]*)$') <> '', false) AS film_id_integer
  FROM fields
), typed AS (
  SELECT *,
    CASE WHEN ts_well_formed THEN timezone('UTC', TRY_CAST(ts_text AS TIMESTAMPTZ)) END AS event_time,
    CASE WHEN film_id_integer THEN TRY_CAST(film_id_text AS INTEGER) END AS film_id
  FROM formed
), judged AS (
  SELECT *, CASE
    WHEN line IS NULL THEN 'invalid UTF-8'
    WHEN line = '' THEN 'empty line'
    WHEN length(line) > 65536 THEN 'line too long: ' || CAST(length(line) AS VARCHAR) || ' characters, the limit is 65536'
    WHEN NOT valid_json THEN 'invalid JSON'
    WHEN NOT is_object THEN 'not a JSON object'
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
    WHEN strftime(event_time, '%Y-%m') > landing_month THEN 'event time is after its arrival month ' || landing_month
    -- the lateness window: an event may arrive in its own month's prefix or the next one's
    WHEN strftime(event_time, '%Y-%m') < strftime(CAST(landing_month || '-01' AS DATE) - INTERVAL 1 MONTH, '%Y-%m')
      THEN 'arrived in ' || landing_month || ', later than the 1-month lateness window'
  END AS reason
  FROM typed
)
-- an event keeps its fields, a rejected line its text and reason
SELECT filename, landing_month, line_number, reason, CASE WHEN reason IS NOT NULL THEN line END AS line,
  CASE WHEN reason IS NULL THEN event_time END AS event_time,
  CASE WHEN reason IS NULL THEN event_type END AS event_type,
  CASE WHEN reason IS NULL THEN film_id END AS film_id,
  CASE WHEN reason IS NULL THEN distributor END AS distributor,
  CASE WHEN reason IS NULL THEN platform END AS platform,
  CASE WHEN reason IS NULL THEN state END AS state,
  CASE WHEN reason IS NULL THEN ts_text END AS ts_text
FROM judged;

-- step: events by UTC month
COPY (
  SELECT event_time, event_type, film_id, distributor, platform, state,
    ts_text AS event_timestamp, landing_month, strftime(event_time, '%Y') AS year, strftime(event_time, '%m') AS month
  FROM checked WHERE reason IS NULL
) TO 'out/curated/streaming_partitions' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year, month));

-- step: rejected lines by arrival month
COPY (
  SELECT regexp_extract(filename, 'landing/.*$') AS source_file, line_number, line, reason,
    substr(landing_month, 1, 4) AS year, substr(landing_month, 6, 2) AS month
  FROM checked WHERE reason IS NOT NULL
) TO 'out/curated/streaming_rejected' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year, month));

-- step: line accounting by arrival month
-- lines = accepted + rejected, or the script fails
COPY (
  WITH per_file AS (
    SELECT landing_month, max(line_number) AS numbered,
      count(*) FILTER (WHERE reason IS NULL AND strftime(event_time, '%Y-%m') < landing_month) AS accepted_late,
      count(*) FILTER (WHERE reason IS NULL) AS accepted,
      count(*) FILTER (WHERE reason IS NOT NULL) AS rejected
    FROM checked GROUP BY landing_month, filename
  ), counted AS (
    SELECT landing_month, count(*) AS files, sum(numbered) AS lines, sum(accepted_late) AS accepted_late,
      sum(accepted) AS accepted, sum(rejected) AS rejected
    FROM per_file GROUP BY landing_month
  )
  SELECT landing_month, CAST(files AS BIGINT) AS files, CAST(lines AS BIGINT) AS lines, CAST(accepted_late AS BIGINT) AS accepted_late,
    CAST(accepted AS BIGINT) AS accepted,
    CASE WHEN lines = accepted + rejected THEN CAST(rejected AS BIGINT)
      ELSE error('arrival month ' || landing_month || ': ' || lines || ' lines in, but ' || accepted || ' accepted and ' || rejected || ' rejected') END AS rejected
  FROM counted ORDER BY landing_month
) TO 'out/curated/streaming_accounting.parquet' (FORMAT parquet, COMPRESSION zstd);

-- step: clean tables from the raw CSVs
CREATE TEMP TABLE clean_film AS
SELECT CAST(film_id AS INTEGER) AS film_id, title, description, CAST(release_year AS INTEGER) AS release_year,
  CAST(language_id AS INTEGER) AS language_id, CAST(original_language_id AS INTEGER) AS original_language_id,
  CAST(rental_duration AS INTEGER) AS rental_duration, CAST(rental_rate AS DOUBLE) AS rental_rate, CAST(length AS INTEGER) AS length,
  CAST(replacement_cost AS DOUBLE) AS replacement_cost, rating,
  CASE WHEN special_features IS NULL OR special_features = '' THEN NULL ELSE string_split(special_features, ',') END AS special_features,
  CAST(last_update AS TIMESTAMP) AS last_update
FROM read_csv('landing/raw_film/data.csv', header = true, all_varchar = true, delim = ',', quote = '"', escape = '"');
CREATE TEMP TABLE clean_category AS
SELECT CAST(category_id AS INTEGER) AS category_id, name, CAST(last_update AS TIMESTAMP) AS last_update
FROM read_csv('landing/raw_category/data.csv', header = true, all_varchar = true, delim = ',', quote = '"', escape = '"');
CREATE TEMP TABLE clean_film_category AS
SELECT CAST(film_id AS INTEGER) AS film_id, CAST(category_id AS INTEGER) AS category_id, CAST(last_update AS TIMESTAMP) AS last_update
FROM read_csv('landing/raw_film_category/data.csv', header = true, all_varchar = true, delim = ',', quote = '"', escape = '"');
CREATE TEMP TABLE clean_language AS
SELECT CAST(language_id AS INTEGER) AS language_id, trim(name) AS name, CAST(last_update AS TIMESTAMP) AS last_update
FROM read_csv('landing/raw_language/data.csv', header = true, all_varchar = true, delim = ',', quote = '"', escape = '"');
COPY clean_film TO 'out/clean/clean_film.parquet' (FORMAT parquet, COMPRESSION zstd);
COPY clean_category TO 'out/clean/clean_category.parquet' (FORMAT parquet, COMPRESSION zstd);
COPY clean_film_category TO 'out/clean/clean_film_category.parquet' (FORMAT parquet, COMPRESSION zstd);
COPY clean_language TO 'out/clean/clean_language.parquet' (FORMAT parquet, COMPRESSION zstd);

-- step: film_category
CREATE TEMP TABLE film_category AS
SELECT f.film_id, f.title, f.description, f.release_year, l.name AS language, ol.name AS original_language,
  f.length, f.rating, f.special_features, c.category_id, c.name AS category_name
FROM clean_film AS f
JOIN clean_language AS l ON l.language_id = f.language_id
LEFT JOIN clean_language AS ol ON ol.language_id = f.original_language_id
LEFT JOIN clean_film_category AS fc ON fc.film_id = f.film_id
LEFT JOIN clean_category AS c ON c.category_id = fc.category_id;
COPY film_category TO 'out/curated/film_category.parquet' (FORMAT parquet, COMPRESSION zstd);

-- step: streaming_films: every event with its film and category
CREATE TEMP TABLE streaming_films AS
SELECT s.event_time, s.event_type, s.film_id, f.title, f.rating, f.language,
  f.category_id, f.category_name, s.distributor, s.platform, s.state
FROM checked AS s
LEFT JOIN film_category AS f ON f.film_id = s.film_id
WHERE s.reason IS NULL;
COPY (SELECT *, strftime(event_time, '%Y') AS year, strftime(event_time, '%m') AS month FROM streaming_films)
TO 'out/curated/streaming_films' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (year, month));

-- step: the three reports
COPY (
  SELECT coalesce(category_name, 'Unknown') AS category_name, count(*)::BIGINT AS streams,
    count(*) FILTER (WHERE event_type = 'rent')::BIGINT AS rent, count(*) FILTER (WHERE event_type = 'buy')::BIGINT AS buy,
    count(*) FILTER (WHERE event_type = 'trailer')::BIGINT AS trailer
  FROM streaming_films GROUP BY 1
) TO 'out/curated/category_report.parquet' (FORMAT parquet, COMPRESSION zstd);
COPY (
  SELECT state, count(*)::BIGINT AS streams,
    count(*) FILTER (WHERE event_type = 'rent')::BIGINT AS rent, count(*) FILTER (WHERE event_type = 'buy')::BIGINT AS buy,
    count(*) FILTER (WHERE event_type = 'trailer')::BIGINT AS trailer
  FROM streaming_films GROUP BY 1
) TO 'out/curated/state_report.parquet' (FORMAT parquet, COMPRESSION zstd);
COPY (
  SELECT coalesce(category_name, 'Unknown') AS category_name, state, count(*)::BIGINT AS streams,
    count(*) FILTER (WHERE event_type = 'rent')::BIGINT AS rent, count(*) FILTER (WHERE event_type = 'buy')::BIGINT AS buy,
    count(*) FILTER (WHERE event_type = 'trailer')::BIGINT AS trailer
  FROM streaming_films GROUP BY 1, 2
) TO 'out/curated/category_state_report.parquet' (FORMAT parquet, COMPRESSION zstd);
