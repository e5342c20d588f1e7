import { Schema } from "effect"
import { Column, defineAsset, eager } from "sakila-assets"
import { StreamCounts, streamingCounts } from "./streaming_counts.js"

/**
 * A report's rows: the monthly counts (streaming_counts) summed by its groups over every month. The reports read
 * every month whenever one changes: a few hundred count rows a month, not every stream again.
 */
const summedBy = (counts: string, groups: ReadonlyArray<readonly [name: string, expression: string]>) => `
    SELECT ${groups.map(([name, expression]) => (expression === name ? name : `${expression} AS ${name}`)).join(", ")},
      CAST(sum(streams) AS BIGINT) AS streams,
      CAST(sum(rent) AS BIGINT) AS rent,
      CAST(sum(buy) AS BIGINT) AS buy,
      CAST(sum(trailer) AS BIGINT) AS trailer
    FROM ${counts}
    GROUP BY ${groups.map((_, i) => i + 1).join(", ")}`

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
  deps: { counts: streamingCounts },
  schema: Schema.Struct({ category_name: Column.text, ...StreamCounts }),
  sql: ({ inputs }) => summedBy(inputs.counts!, [category])
})

/** Top states: streams per US state over every month. */
export const stateReport = defineAsset({
  key: "state_report",
  description: "streams per state, every month, with rent / buy / trailer counts",
  group: "reports",
  automation: eager(),
  deps: { counts: streamingCounts },
  schema: Schema.Struct({ state: Column.text, ...StreamCounts }),
  sql: ({ inputs }) => summedBy(inputs.counts!, [state])
})

/** Streams per category and state. */
export const categoryStateReport = defineAsset({
  key: "category_state_report",
  description: "streams per category and state, every month, with rent / buy / trailer counts",
  group: "reports",
  automation: eager(),
  deps: { counts: streamingCounts },
  schema: Schema.Struct({ category_name: Column.text, state: Column.text, ...StreamCounts }),
  sql: ({ inputs }) => summedBy(inputs.counts!, [category, state])
})
