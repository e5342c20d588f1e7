import { cleanCategory, cleanFilm, cleanFilmCategory, cleanLanguage } from "./clean.js"
import { filmCategory } from "./film_category.js"
import {
  rawCategory,
  rawFilm,
  rawFilmCategory,
  rawLanguage,
  sakilaCategory,
  sakilaFilm,
  sakilaFilmCategory,
  sakilaLanguage
} from "./raw.js"
import { categoryReport, categoryStateReport, stateReport } from "./reports.js"
import { streamingChecked, streamingLanding, streamingPartitions } from "./streaming.js"
import { streamingCounts } from "./streaming_counts.js"
import { streamingFilms } from "./streaming_films.js"

/** Every dataset of the Sakila streaming-analytics project. */
export const sakilaAssets = [
  sakilaFilm,
  sakilaCategory,
  sakilaFilmCategory,
  sakilaLanguage,
  rawFilm,
  rawCategory,
  rawFilmCategory,
  rawLanguage,
  cleanFilm,
  cleanCategory,
  cleanFilmCategory,
  cleanLanguage,
  filmCategory,
  streamingLanding,
  streamingChecked,
  streamingPartitions,
  streamingFilms,
  streamingCounts,
  categoryReport,
  stateReport,
  categoryStateReport
] as const
