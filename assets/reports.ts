import { Schema } from "effect"
import { Column, defineAsset, eager } from "sakila-assets"
import { streamingFilms } from "./streaming_films.js"

const counts = {
  streams: Column.bigint,
  rent: Column.bigint,
  buy: Column.bigint,
  trailer: Column.bigint
}

const countColumns = `
  count(*)::BIGINT AS streams,
  count(*) FILTER (WHERE event_type = 'rent')::BIGINT AS rent,
  count(*) FILTER (WHERE event_type = 'buy')::BIGINT AS buy,
  count(*) FILTER (WHERE event_type = 'trailer')::BIGINT AS trailer`

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
  sql: ({ inputs }) => `
    SELECT coalesce(category_name, 'Unknown') AS category_name, ${countColumns}
    FROM ${inputs.streams}
    GROUP BY 1`
})

/** Top states: streams per US state over every month. */
export const stateReport = defineAsset({
  key: "state_report",
  description: "streams per state, every month, with rent / buy / trailer counts",
  group: "reports",
  automation: eager(),
  deps: { streams: streamingFilms },
  schema: Schema.Struct({ state: Column.text, ...counts }),
  sql: ({ inputs }) => `
    SELECT state, ${countColumns}
    FROM ${inputs.streams}
    GROUP BY 1`
})

/** Streams per category and state. */
export const categoryStateReport = defineAsset({
  key: "category_state_report",
  description: "streams per category and state, every month, with rent / buy / trailer counts",
  group: "reports",
  automation: eager(),
  deps: { streams: streamingFilms },
  schema: Schema.Struct({ category_name: Column.text, state: Column.text, ...counts }),
  sql: ({ inputs }) => `
    SELECT coalesce(category_name, 'Unknown') AS category_name, state, ${countColumns}
    FROM ${inputs.streams}
    GROUP BY 1, 2`
})
