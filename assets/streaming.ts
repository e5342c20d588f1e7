import { Effect, Schema } from "effect"
import { Column, defineAsset, defineSource, dep, eager, Lake, monthly, type PartitionKey, shortHash, timeWindow } from "sakila-assets"
import { monthOverMonth, rejectedLines } from "./checks.js"
import { landingPrefix } from "./StreamingFeed.js"
import { checkedLines, LATENESS_MONTHS } from "./streamingRules.js"

/** Months from 2019; the month still going is one too, so events landing now reach the reports within minutes. */
export const months = monthly({ start: "2019-01", includeOpen: true })

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

/** A landed line that is not an event, with the first rule it breaks (NULL line: its bytes are not UTF-8). */
export const RejectedLine = Schema.Struct({
  source_file: Column.text,
  line_number: Column.bigint,
  line: Column.nullable(Column.text),
  reason: Column.text
})

/** Where the lines of one arrival month went: lines = accepted + rejected, or the materialization fails. */
export const LineAccounting = Schema.Struct({
  landing_month: Column.text,
  files: Column.bigint,
  lines: Column.bigint,
  /** events of the month before, which its partition holds */
  accepted_late: Column.bigint,
  accepted: Column.bigint,
  rejected: Column.bigint
})

/**
 * Every landed line of one arrival month, checked once: an event's columns when it is accepted (`reason` NULL), or
 * the line itself with the first rule it breaks (streamingRules.ts). Where each line came from is kept with it, so
 * the months downstream select events, rejected lines and line counts from Parquet without parsing anything again.
 */
export const CheckedLine = Schema.Struct({
  source_file: Column.text,
  line_number: Column.bigint,
  landing_month: Column.text,
  /** NULL when accepted (and when its bytes are not UTF-8) */
  line: Column.nullable(Column.text),
  /** NULL when accepted */
  reason: Column.nullable(Column.text),
  event_time: Column.nullable(Column.timestamp),
  event_type: Column.nullable(EventType),
  film_id: Column.nullable(Column.int),
  distributor: Column.nullable(Column.text),
  platform: Column.nullable(Column.text),
  state: Column.nullable(Column.text),
  event_timestamp: Column.nullable(Column.text)
})

/** Monthly by ARRIVAL month: the landed lines of prefix M, each parsed and checked once. */
export const streamingChecked = defineAsset({
  key: "streaming_checked",
  description: "every landed line of an arrival month, checked once: the event, or the line with the rule it breaks",
  group: "streaming",
  automation: eager(),
  zone: "clean",
  partitions: months,
  deps: { landing: streamingLanding },
  schema: CheckedLine,
  sql: ({ inputs }) => `${checkedLines(inputs.landing!)}
    SELECT regexp_extract(filename, 'landing/.*$') AS source_file, line_number, landing_month,
      CASE WHEN reason IS NOT NULL THEN line END AS line, reason,
      CASE WHEN reason IS NULL THEN event_time END AS event_time,
      CASE WHEN reason IS NULL THEN event_type END AS event_type,
      CASE WHEN reason IS NULL THEN film_id END AS film_id,
      CASE WHEN reason IS NULL THEN distributor END AS distributor,
      CASE WHEN reason IS NULL THEN platform END AS platform,
      CASE WHEN reason IS NULL THEN state END AS state,
      CASE WHEN reason IS NULL THEN ts_text END AS event_timestamp
    FROM checked`
})

/** One row for arrival month `partition`; a line counted twice or lost makes the query fail, saying so. */
const accounting = (checked: string, partition: string) => `WITH per_file AS (
    -- numbered 1..n in each file, so the last number is how many lines the file has
    SELECT max(line_number) AS numbered,
      count(*) FILTER (WHERE reason IS NULL AND strftime(event_time, '%Y-%m') < '${partition}') AS accepted_late,
      count(*) FILTER (WHERE reason IS NULL) AS accepted,
      count(*) FILTER (WHERE reason IS NOT NULL) AS rejected
    FROM ${checked} WHERE landing_month = '${partition}' GROUP BY source_file
  ), counted AS (
    SELECT count(*) AS files, coalesce(sum(numbered), 0) AS lines, coalesce(sum(accepted_late), 0) AS accepted_late,
      coalesce(sum(accepted), 0) AS accepted, coalesce(sum(rejected), 0) AS rejected
    FROM per_file
  )
  SELECT '${partition}' AS landing_month, CAST(files AS BIGINT) AS files, CAST(lines AS BIGINT) AS lines,
    CAST(accepted_late AS BIGINT) AS accepted_late, CAST(accepted AS BIGINT) AS accepted,
    -- neither engine has a fail() the other knows; a text cast to a number fails in both and carries the message
    CASE WHEN lines = accepted + rejected THEN CAST(rejected AS BIGINT)
      ELSE CAST('arrival month ${partition}: ' || CAST(lines AS VARCHAR) || ' lines in, but ' || CAST(accepted AS VARCHAR) || ' accepted and '
        || CAST(rejected AS VARCHAR) || ' rejected' AS BIGINT) END AS rejected
  FROM counted`

/**
 * Monthly Parquet of the events by their UTC month. Month M reads the checked lines of arrival months
 * M .. M+lateness, since late events land in a later arrival month. Lines that break a rule (streamingRules.ts) and
 * events too late for their month are kept with their reason in the `rejected` output of the month whose prefix
 * they landed in; `accounting` says where each line of that arrival month went. Nothing is parsed here: each line
 * was checked once, in streaming_checked.
 */
export const streamingPartitions = defineAsset({
  key: "streaming_partitions",
  description: "streaming events by UTC month as Parquet; rejected lines kept with their reason",
  group: "streaming",
  automation: eager(),
  partitions: months,
  deps: { checked: dep(streamingChecked, timeWindow({ startOffset: 0, endOffset: LATENESS_MONTHS })) },
  schema: StreamingEvent,
  sql: ({ inputs, partition }) => `
    SELECT event_time, event_type, film_id, distributor, platform, state, event_timestamp, landing_month
    FROM ${inputs.checked}
    WHERE reason IS NULL AND strftime(event_time, '%Y-%m') = '${partition}'`,
  checks: [...rejectedLines, monthOverMonth],
  sideOutputs: {
    rejected: {
      schema: RejectedLine,
      countBy: "reason",
      sql: ({ inputs, partition }) => `
        SELECT source_file, line_number, line, reason
        FROM ${inputs.checked}
        WHERE reason IS NOT NULL AND landing_month = '${partition}'`
    },
    accounting: { schema: LineAccounting, recordRows: true, sql: ({ inputs, partition }) => accounting(inputs.checked!, partition!) }
  }
})
