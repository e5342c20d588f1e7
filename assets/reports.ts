import { Schema } from "effect"
import { Column, defineAsset, eager } from "sakila-assets"
import { streamingFilms } from "./streaming_films.js"

const counts = {
  streams: Column.bigint,
  rent: Column.bigint,
  buy: Column.bigint,
  trailer: Column.bigint
}

/**
 * A report's rows: the streams counted by its groups and event type first, then those counts spread over the count
 * columns. Each stream is grouped once instead of tested once per count column: half the time over every month of
 * streams (the reports re-read them all whenever one month changes), the same rows.
 */
const countedBy = (streams: string, groups: ReadonlyArray<readonly [name: string, expression: string]>) => {
  const positions = groups.map((_, i) => i + 1).join(", ")
  return `
    SELECT ${groups.map(([name]) => name).join(", ")},
      CAST(sum(n) AS BIGINT) AS streams,
      CAST(coalesce(sum(n) FILTER (WHERE event_type = 'rent'), 0) AS BIGINT) AS rent,
      CAST(coalesce(sum(n) FILTER (WHERE event_type = 'buy'), 0) AS BIGINT) AS buy,
      CAST(coalesce(sum(n) FILTER (WHERE event_type = 'trailer'), 0) AS BIGINT) AS trailer
    FROM (
      SELECT ${groups.map(([name, expression]) => (expression === name ? name : `${expression} AS ${name}`)).join(", ")}, event_type, count(*) AS n
      FROM ${streams}
      GROUP BY ${positions}, ${groups.length + 1}
    ) AS by_type
    GROUP BY ${positions}`
}

const category = ["category_name", "coalesce(category_name, 'Unknown')"] as const
const state = ["state", "state"] as const

/** Top streaming categories: streams per category over every month, with the event-type split. */
export const categoryReport = defineAsset({
  key: "category_report",
  description: "streams per category, every month, with rent / buy / trailer counts",
  group: "reports",
  automation: eager(),
  // the report partners read: overdue when new events wait more than 5 minutes to reach it
  freshness: { maxLag: "5m" },
  deps: { streams: streamingFilms },
  schema: Schema.Struct({ category_name: Column.text, ...counts }),
  sql: ({ inputs }) => countedBy(inputs.streams!, [category])
})

/** Top states: streams per US state over every month. */
export const stateReport = defineAsset({
  key: "state_report",
  description: "streams per state, every month, with rent / buy / trailer counts",
  group: "reports",
  automation: eager(),
  deps: { streams: streamingFilms },
  schema: Schema.Struct({ state: Column.text, ...counts }),
  sql: ({ inputs }) => countedBy(inputs.streams!, [state])
})

/** Streams per category and state. */
export const categoryStateReport = defineAsset({
  key: "category_state_report",
  description: "streams per category and state, every month, with rent / buy / trailer counts",
  group: "reports",
  automation: eager(),
  deps: { streams: streamingFilms },
  schema: Schema.Struct({ category_name: Column.text, state: Column.text, ...counts }),
  sql: ({ inputs }) => countedBy(inputs.streams!, [category, state])
})
