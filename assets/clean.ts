import { Schema } from "effect"
import { Column, defineAsset, eager } from "sakila-assets"
import { movalyticsRule } from "./checks.js"
import { rawCategory, rawFilm, rawFilmCategory, rawLanguage } from "./raw.js"

export const Rating = Column.enum("G", "PG", "PG-13", "R", "NC-17")

export const CleanFilm = Schema.Struct({
  film_id: Column.int,
  title: Column.text,
  description: Column.nullable(Column.text),
  release_year: Column.nullable(Column.int),
  language_id: Column.int,
  original_language_id: Column.nullable(Column.int),
  rental_duration: Column.int,
  rental_rate: Column.double,
  length: Column.nullable(Column.int),
  replacement_cost: Column.double,
  rating: Column.nullable(Rating),
  special_features: Column.nullable(Column.textList),
  last_update: Column.timestamp
})

/** Typed Parquet of the landing CSV: numbers as numbers, the SET as a list, timestamps as timestamps. */
export const cleanFilm = defineAsset({
  key: "clean_film",
  description: "film, typed, as Parquet",
  group: "clean",
  automation: eager(),
  zone: "clean",
  deps: { raw: rawFilm },
  schema: CleanFilm,
  checks: movalyticsRule("film_id"),
  sql: ({ inputs }) => `
    SELECT
      CAST(film_id AS INTEGER) AS film_id,
      title,
      description,
      CAST(release_year AS INTEGER) AS release_year,
      CAST(language_id AS INTEGER) AS language_id,
      CAST(original_language_id AS INTEGER) AS original_language_id,
      CAST(rental_duration AS INTEGER) AS rental_duration,
      CAST(rental_rate AS DOUBLE) AS rental_rate,
      CAST(length AS INTEGER) AS length,
      CAST(replacement_cost AS DOUBLE) AS replacement_cost,
      rating,
      CASE WHEN special_features IS NULL OR special_features = '' THEN NULL ELSE string_split(special_features, ',') END AS special_features,
      CAST(last_update AS TIMESTAMP) AS last_update
    FROM ${inputs.raw}`
})

export const cleanCategory = defineAsset({
  key: "clean_category",
  description: "category, typed, as Parquet",
  group: "clean",
  automation: eager(),
  zone: "clean",
  deps: { raw: rawCategory },
  schema: Schema.Struct({ category_id: Column.int, name: Column.text, last_update: Column.timestamp }),
  checks: movalyticsRule("category_id"),
  sql: ({ inputs }) => `
    SELECT CAST(category_id AS INTEGER) AS category_id, name, CAST(last_update AS TIMESTAMP) AS last_update
    FROM ${inputs.raw}`
})

export const cleanFilmCategory = defineAsset({
  key: "clean_film_category",
  description: "film_category, typed, as Parquet",
  group: "clean",
  automation: eager(),
  zone: "clean",
  deps: { raw: rawFilmCategory },
  schema: Schema.Struct({ film_id: Column.int, category_id: Column.int, last_update: Column.timestamp }),
  checks: movalyticsRule("film_id", "category_id"),
  sql: ({ inputs }) => `
    SELECT CAST(film_id AS INTEGER) AS film_id, CAST(category_id AS INTEGER) AS category_id, CAST(last_update AS TIMESTAMP) AS last_update
    FROM ${inputs.raw}`
})

export const cleanLanguage = defineAsset({
  key: "clean_language",
  description: "language, typed, as Parquet",
  group: "clean",
  automation: eager(),
  zone: "clean",
  deps: { raw: rawLanguage },
  schema: Schema.Struct({ language_id: Column.int, name: Column.text, last_update: Column.timestamp }),
  checks: movalyticsRule("language_id"),
  sql: ({ inputs }) => `
    SELECT CAST(language_id AS INTEGER) AS language_id, trim(name) AS name, CAST(last_update AS TIMESTAMP) AS last_update
    FROM ${inputs.raw}`
})
