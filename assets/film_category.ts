import { Schema } from "effect"
import { Column, defineAsset, eager } from "sakila-assets"
import { oneRowPerFilm } from "./checks.js"
import { cleanCategory, cleanFilm, cleanFilmCategory, cleanLanguage, Rating } from "./clean.js"

export const FilmCategory = Schema.Struct({
  film_id: Column.int,
  title: Column.text,
  description: Column.nullable(Column.text),
  release_year: Column.nullable(Column.int),
  language: Column.text,
  original_language: Column.nullable(Column.text),
  length: Column.nullable(Column.int),
  rating: Column.nullable(Rating),
  special_features: Column.nullable(Column.textList),
  category_id: Column.nullable(Column.int),
  category_name: Column.nullable(Column.text)
})

/** Each film with its category and languages, denormalized. */
export const filmCategory = defineAsset({
  key: "film_category",
  description: "film joined with its category and languages",
  group: "curated",
  automation: eager(),
  deps: { film: cleanFilm, film_category: cleanFilmCategory, category: cleanCategory, language: cleanLanguage },
  schema: FilmCategory,
  checks: oneRowPerFilm(cleanFilm),
  sql: ({ inputs }) => `
    SELECT f.film_id, f.title, f.description, f.release_year,
           l.name AS language, ol.name AS original_language,
           f.length, f.rating, f.special_features,
           c.category_id, c.name AS category_name
    FROM ${inputs.film} AS f
    JOIN ${inputs.language} AS l ON l.language_id = f.language_id
    LEFT JOIN ${inputs.language} AS ol ON ol.language_id = f.original_language_id
    LEFT JOIN ${inputs.film_category} AS fc ON fc.film_id = f.film_id
    LEFT JOIN ${inputs.category} AS c ON c.category_id = fc.category_id`
})
