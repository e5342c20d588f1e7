import { Schema } from "effect"
import { Column, defineAsset, eager } from "sakila-assets"
import { months } from "./streaming.js"
import { streamingFilms } from "./streaming_films.js"

/** How many streams of each event type, in columns (a group with no stream of a type counts 0). */
export const StreamCounts = {
  streams: Column.bigint,
  rent: Column.bigint,
  buy: Column.bigint,
  trailer: Column.bigint
}

/**
 * The streams of one month counted by category and state, with the event-type split: what the reports sum. They
 * read every month whenever one changes, so they read these few hundred rows a month instead of every stream.
 * category_name is kept as streaming_films has it (NULL for a film without a category); the reports name it.
 */
export const streamingCounts = defineAsset({
  key: "streaming_counts",
  description: "streams of a month counted by category and state, with rent / buy / trailer counts",
  group: "curated",
  automation: eager(),
  partitions: months,
  deps: { streams: streamingFilms },
  schema: Schema.Struct({ category_name: Column.nullable(Column.text), state: Column.text, ...StreamCounts }),
  sql: ({ inputs }) => `
    SELECT category_name, state,
      CAST(count(*) AS BIGINT) AS streams,
      CAST(count(*) FILTER (WHERE event_type = 'rent') AS BIGINT) AS rent,
      CAST(count(*) FILTER (WHERE event_type = 'buy') AS BIGINT) AS buy,
      CAST(count(*) FILTER (WHERE event_type = 'trailer') AS BIGINT) AS trailer
    FROM ${inputs.streams}
    GROUP BY 1, 2`
})
