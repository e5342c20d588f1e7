import { Effect, Schema } from "effect"
import { defineAsset, defineSource, dep } from "../runtime/asset/Asset.js"
import { shortHash } from "../runtime/asset/codeVersion.js"
import { Column } from "../runtime/asset/columns.js"
import { Lake } from "../runtime/lake/Lake.js"
import { monthly } from "../runtime/partitions/MonthlyPartitions.js"
import { timeWindow } from "../runtime/partitions/mappings/timeWindow.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { landingPrefix, StreamingFeed } from "./StreamingFeed.js"

export const months = monthly({ start: "2019-01" })

/** How many months after its own an event may still arrive (a Firehose prefix is the arrival month). */
export const LATENESS_MONTHS = 1

const arrivalMonth = /^landing\/streaming\/(\d{4})\/(\d{2})\//

/** The partner stream as it lands, partitioned by arrival month; its version is a hash of the files' names, sizes and tags. */
export const streamingLanding = defineSource({
  key: "streaming_landing",
  description: "partner streaming events as JSON lines under landing/streaming/YYYY/MM/ (arrival month)",
  group: "streaming",
  partitions: months,
  format: "jsonl",
  prefix: (p) => landingPrefix(p!),
  observe: Effect.gen(function* () {
    yield* (yield* StreamingFeed).prepare
    const objects = yield* (yield* Lake).list("landing/streaming/")
    const byMonth = new Map<PartitionKey, Array<string>>()
    for (const o of objects) {
      const m = arrivalMonth.exec(o.path)
      if (m === null) continue
      const month = `${m[1]}-${m[2]}` as PartitionKey
      byMonth.set(month, [...(byMonth.get(month) ?? []), `${o.path} ${o.size} ${o.tag}`])
    }
    return { _tag: "Partitioned" as const, partitions: new Map([...byMonth].map(([k, files]) => [k, shortHash(...files)])) }
  })
})

export const EventType = Column.enum("rent", "buy", "trailer")

export const StreamingEvent = Schema.Struct({
  event_time: Column.timestamp,
  event_type: EventType,
  film_id: Column.int,
  distributor: Column.text,
  platform: Column.text,
  state: Column.text,
  /** as the partner sent it, with its UTC offset */
  event_timestamp: Column.text,
  landing_month: Column.text
})

export const RejectedLine = Schema.Struct({
  source_file: Column.text,
  line_number: Column.bigint,
  line: Column.text,
  reason: Column.text
})

const field = (name: string) => `CASE WHEN valid_json THEN json_extract_string(line, '$.${name}') END`

/** Every landed line, parsed and checked; `reason` is NULL for a good event. */
const checkedEvents = (landing: string) => `
  WITH lines AS (
    SELECT filename, line_number, line, json_valid(line) AS valid_json,
           regexp_extract(filename, '/streaming/([0-9]{4})/([0-9]{2})/', 1) || '-' ||
           regexp_extract(filename, '/streaming/([0-9]{4})/([0-9]{2})/', 2) AS landing_month
    FROM ${landing}
  ), fields AS (
    SELECT *,
      ${field("timestamp")} AS ts_text,
      ${field("eventType")} AS event_type,
      ${field("film_id")} AS film_id_text,
      ${field("distributor")} AS distributor,
      ${field("platform")} AS platform,
      ${field("state")} AS state
    FROM lines
  ), typed AS (
    SELECT *,
      timezone('UTC', TRY_CAST(ts_text AS TIMESTAMPTZ)) AS event_time,
      TRY_CAST(film_id_text AS INTEGER) AS film_id
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
      WHEN strftime(event_time, '%Y-%m') > landing_month THEN 'event time is after its arrival month ' || landing_month
      WHEN strftime(event_time, '%Y-%m') < strftime(CAST(landing_month || '-01' AS DATE) - INTERVAL ${LATENESS_MONTHS} MONTH, '%Y-%m')
        THEN 'arrived in ' || landing_month || ', later than the ${LATENESS_MONTHS}-month lateness window'
    END AS reason
    FROM typed
  )`

/**
 * Monthly Parquet of the events by their UTC month. Month M reads the landing prefixes M .. M+lateness, since late
 * events land in a later arrival month. Malformed lines and events too late for their month are kept with their
 * reason in the `rejected` output of the month whose prefix they landed in.
 */
export const streamingPartitions = defineAsset({
  key: "streaming_partitions",
  description: "streaming events by UTC month as Parquet; rejected lines kept with their reason",
  group: "streaming",
  partitions: months,
  deps: { landing: dep(streamingLanding, timeWindow({ startOffset: 0, endOffset: LATENESS_MONTHS })) },
  schema: StreamingEvent,
  sql: ({ inputs, partition }) => `${checkedEvents(inputs.landing!)}
    SELECT event_time, event_type, film_id, distributor, platform, state, ts_text AS event_timestamp, landing_month
    FROM checked
    WHERE reason IS NULL AND strftime(event_time, '%Y-%m') = '${partition}'`,
  sideOutputs: {
    rejected: {
      schema: RejectedLine,
      sql: ({ inputs, partition }) => `${checkedEvents(inputs.landing!)}
        SELECT regexp_extract(filename, 'landing/.*$') AS source_file, line_number, line, reason
        FROM checked
        WHERE reason IS NOT NULL AND landing_month = '${partition}'`
    }
  }
})
