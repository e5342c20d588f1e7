import { Schema } from "effect"
import { Column, defineAsset, eager } from "sakila-assets"
import { filmInCatalogue } from "./checks.js"
import { Rating } from "./clean.js"
import { filmCategory } from "./film_category.js"
import { EventType, months, streamingPartitions } from "./streaming.js"

export const StreamingFilm = Schema.Struct({
  event_time: Column.timestamp,
  event_type: EventType,
  film_id: Column.int,
  title: Column.nullable(Column.text),
  rating: Column.nullable(Rating),
  language: Column.nullable(Column.text),
  category_id: Column.nullable(Column.int),
  category_name: Column.nullable(Column.text),
  distributor: Column.text,
  platform: Column.text,
  state: Column.text
})

/** Every stream of a month with its film and category; film_category (unpartitioned) feeds every month. */
export const streamingFilms = defineAsset({
  key: "streaming_films",
  description: "every stream enriched with its film and category, monthly",
  group: "curated",
  automation: eager(),
  partitions: months,
  deps: { streams: streamingPartitions, films: filmCategory },
  schema: StreamingFilm,
  checks: [filmInCatalogue(filmCategory)],
  sql: ({ inputs }) => `
    SELECT s.event_time, s.event_type, s.film_id, f.title, f.rating, f.language, f.category_id, f.category_name,
           s.distributor, s.platform, s.state
    FROM ${inputs.streams} AS s
    LEFT JOIN ${inputs.films} AS f ON f.film_id = s.film_id`
})
