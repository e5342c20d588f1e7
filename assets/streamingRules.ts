/**
 * The rules a landed line must pass to become a streaming event, as SQL both engines run (Athena gets it
 * translated): every line leaves `checked` with a NULL `reason` (an event) or the first rule it breaks.
 * README.md, "Streaming events", states the same rules for partners.
 */

/** How many months after its own an event may still arrive (a Firehose prefix is the arrival month). */
export const LATENESS_MONTHS = 1

/** Longer lines are rejected before parsing: an event is about 200 characters. */
export const MAX_LINE_CHARS = 65_536

/**
 * Whether `expr` matches `pattern` (which matches at least one character). regexp_extract is the one regex
 * function both engines have; on no match DuckDB gives '' and Trino NULL.
 */
const matches = (expr: string, pattern: string) => `coalesce(regexp_extract(${expr}, '${pattern}') <> '', false)`

/** the fields an event has, each with the column `fields` gives it, in the order of the one extraction that reads them all */
const FIELDS = [
  { field: "timestamp", column: "ts_text" },
  { field: "eventType", column: "event_type" },
  { field: "film_id", column: "film_id_text" },
  { field: "distributor", column: "distributor" },
  { field: "platform", column: "platform" },
  { field: "state", column: "state" }
] as const

/** ISO 8601 with seconds and an offset, as partners send it: 2023-03-01T08:15:00-05:00 */
const TIMESTAMP = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,6})?(Z|[+-][0-9]{2}:[0-5][0-9])$"
/** offsets real zones can have (java.time and ISO 8601 stop at ±18:00) */
const OFFSET_IN_RANGE = "(Z|[+-](0[0-9]|1[0-7]):[0-5][0-9]|[+-]18:00)$"
/** a JSON number as a parser prints it */
const NUMBER = "^-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][+-]?[0-9]+)?$"
const INTEGER = "^-?(0|[1-9][0-9]*)$"

/** Every landed line of `landing` (a lines relation: filename, line_number, line), parsed and checked. */
export const checkedLines = (landing: string) => `
  WITH lines AS (
    SELECT filename, line_number, line,
           regexp_extract(filename, '/streaming/([0-9]{4})/([0-9]{2})/', 1) || '-' ||
           regexp_extract(filename, '/streaming/([0-9]{4})/([0-9]{2})/', 2) AS landing_month
    FROM ${landing}
  ), parsed AS (
    SELECT *, CASE WHEN length(line) <= ${MAX_LINE_CHARS} THEN json_valid(line) ELSE false END AS valid_json
    FROM lines
  ), objects AS (
    SELECT *, valid_json AND ${matches("line", "^[ \\t\\r]*[{]")} AS is_object FROM parsed
  ), extracted AS (
    -- one extraction with a list of paths parses the line once, where one per field parsed it six times (a third of
    -- the checks' time in DuckDB); the list is the fields in FIELDS' order
    SELECT *,
      CASE WHEN is_object THEN json_extract_string(line, ARRAY[${FIELDS.map((f) => `'$.${f.field}'`).join(", ")}]) END AS extracted_fields,
      CASE WHEN is_object THEN json_keys(line) END AS keys
    FROM objects
  ), fields AS (
    SELECT *,
      ${FIELDS.map((f, i) => `extracted_fields[${i + 1}] AS ${f.column}`).join(",\n      ")}
    FROM extracted
  ), formed AS (
    SELECT *,
      -- the keys named more than once, in order. A line with as many keys as there are fields, each of them found,
      -- names none twice: the list is walked (once per key) only for the others
      CASE WHEN array_length(keys) = ${FIELDS.length} AND ${FIELDS.map((f) => `${f.column} IS NOT NULL`).join(" AND ")} THEN ARRAY[]
        ELSE filter(keys, k -> filter(keys, j -> j = k) <> ARRAY[k]) END AS repeated_keys,
      ${matches("ts_text", TIMESTAMP)} AS ts_well_formed,
      ${matches("film_id_text", INTEGER)} AS film_id_integer
    FROM fields
  ), typed AS (
    SELECT *,
      CASE WHEN ts_well_formed THEN timezone('UTC', TRY_CAST(ts_text AS TIMESTAMPTZ)) END AS event_time,
      CASE WHEN film_id_integer THEN TRY_CAST(film_id_text AS INTEGER) END AS film_id
    FROM formed
  ), checked AS (
    SELECT *, CASE
      WHEN line IS NULL THEN 'invalid UTF-8'
      WHEN line = '' THEN 'empty line'
      WHEN length(line) > ${MAX_LINE_CHARS} THEN 'line too long: ' || CAST(length(line) AS VARCHAR) || ' characters, the limit is ${MAX_LINE_CHARS}'
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
      WHEN NOT ${matches("ts_text", OFFSET_IN_RANGE)} THEN 'bad timestamp, offset beyond ±18:00: ' || ts_text
      WHEN event_time IS NULL THEN 'bad timestamp, no such date or time: ' || ts_text
      WHEN event_type NOT IN ('rent', 'buy', 'trailer') THEN 'unknown eventType: ' || event_type
      WHEN NOT ${matches("film_id_text", NUMBER)} THEN 'film_id is not a number: ' || film_id_text
      WHEN NOT film_id_integer THEN 'film_id is not an integer: ' || film_id_text
      WHEN film_id IS NULL OR film_id NOT BETWEEN 1 AND 1000 THEN 'film_id out of range: ' || film_id_text
      WHEN strftime(event_time, '%Y-%m') > landing_month THEN 'event time is after its arrival month ' || landing_month
      WHEN strftime(event_time, '%Y-%m') < strftime(CAST(landing_month || '-01' AS DATE) - INTERVAL ${LATENESS_MONTHS} MONTH, '%Y-%m')
        THEN 'arrived in ' || landing_month || ', later than the ${LATENESS_MONTHS}-month lateness window'
    END AS reason
    FROM typed
  )`
