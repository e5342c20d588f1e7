import { deriveSeed, makeRng } from "./rng.js"

export type Rating = "G" | "PG" | "PG-13" | "R" | "NC-17"

export interface LanguageRow {
  language_id: number
  name: string
  last_update: Date
}

export interface CategoryRow {
  category_id: number
  name: string
  last_update: Date
}

export interface FilmRow {
  film_id: number
  title: string
  description: string
  release_year: number
  language_id: number
  original_language_id: number | null
  rental_duration: number
  /** DECIMAL(4,2): mysql2 returns DECIMAL as a string */
  rental_rate: string
  length: number | null
  /** DECIMAL(5,2) as string */
  replacement_cost: string
  rating: Rating
  /** MySQL SET: comma-joined in definition order, or null */
  special_features: string | null
  last_update: Date
}

export interface FilmCategoryRow {
  film_id: number
  category_id: number
  last_update: Date
}

export const sakilaColumns: Record<"film" | "category" | "film_category" | "language", readonly string[]> = {
  film: [
    "film_id",
    "title",
    "description",
    "release_year",
    "language_id",
    "original_language_id",
    "rental_duration",
    "rental_rate",
    "length",
    "replacement_cost",
    "rating",
    "special_features",
    "last_update"
  ],
  category: ["category_id", "name", "last_update"],
  film_category: ["film_id", "category_id", "last_update"],
  language: ["language_id", "name", "last_update"]
}

export const LANGUAGE_NAMES = ["English", "Italian", "Japanese", "Mandarin", "French", "German"] as const

export const CATEGORY_NAMES = [
  "Action",
  "Animation",
  "Children",
  "Classics",
  "Comedy",
  "Documentary",
  "Drama",
  "Family",
  "Foreign",
  "Games",
  "Horror",
  "Music",
  "New",
  "Sci-Fi",
  "Sports",
  "Travel"
] as const

export const RATINGS: readonly Rating[] = ["G", "PG", "PG-13", "R", "NC-17"]
export const SPECIAL_FEATURES = ["Trailers", "Commentaries", "Deleted Scenes", "Behind the Scenes"] as const

// last_update values of the real dump (read as UTC).
const CATEGORY_UPDATED = Date.parse("2006-02-15T04:46:27Z")
const LANGUAGE_UPDATED = Date.parse("2006-02-15T05:02:19Z")
const FILM_UPDATED = Date.parse("2006-02-15T05:03:42Z")
const FILM_CATEGORY_UPDATED = Date.parse("2006-02-15T05:07:09Z")

const TITLE_FIRST = [
  "ACADEMY", "ACE", "ADAPTATION", "AFFAIR", "AFRICAN", "AGENT", "AIRPLANE", "ALABAMA", "ALADDIN", "ALAMO",
  "ALASKA", "ALI", "ALLEY", "AMADEUS", "AMELIE", "AMERICAN", "ANACONDA", "ANGELS", "ANNIE", "ANTHEM",
  "APACHE", "APOCALYPSE", "ARABIA", "ARMAGEDDON", "ARMY", "ATLANTIS", "ATTACKS", "BABY", "BACKLASH", "BALLOON",
  "BANG", "BASIC", "BEAR", "BEAST", "BEDAZZLED", "BIRDS", "BLADE", "BLANKET", "BLOOD", "BOILED",
  "BONNIE", "BOULEVARD", "BRAVEHEART", "BRIDE", "BROTHERHOOD", "BUBBLE", "CANDLES", "CAPER", "CARIBBEAN", "CASABLANCA",
  "CHAMPION", "CHICAGO", "CIDER", "CLUELESS", "COMA", "CONFIDENTIAL", "CROSSROADS", "CYCLONE", "DANCING", "DESERT"
] as const

const TITLE_SECOND = [
  "DINOSAUR", "GOLDFINGER", "HOLES", "PREJUDICE", "EGG", "TRUMAN", "SIERRA", "POLLOCK", "DEVIL", "CALENDAR",
  "GRAFFITI", "HOBBIT", "DREAMS", "FORRESTER", "ORANGE", "GENERAL", "RIDER", "FURY", "BROOKLYN", "SUNRISE",
  "WORKER", "WATERSHIP", "DOORS", "GUNFIGHTER", "CONNECTICUT", "KILLER", "SAINTS", "MIDNIGHT", "OCTOBER", "ROCKY",
  "HUNTER", "CHARIOTS", "SPIRIT", "GLASS", "TOMORROW", "WISDOM", "STRANGERS", "MUSKETEERS", "ISLAND", "VELVET",
  "PARADISE", "LOVELY", "RUNAWAY", "SHAKESPEARE", "TELEMARK", "ODDYSEY", "HOOK", "SUIT", "KENTUCKIAN", "QUEST",
  "GRAIL", "HARPER", "JEOPARDY", "MASK", "NOTTING", "PERSONAL", "SHEPHERD", "VANISHING", "WONDERLAND", "ZORRO"
] as const

const DESC_ADJ = [
  "Epic", "Astounding", "Fanciful", "Fast-Paced", "Intrepid", "Touching", "Thoughtful", "Beautiful", "Boring",
  "Brilliant", "Emotional", "Amazing", "Awe-Inspiring", "Insightful", "Lacklusture", "Taut", "Unbelieveable", "Action-Packed"
] as const
const DESC_KIND = [
  "Drama", "Epistle", "Reflection", "Documentary", "Panorama", "Saga", "Tale", "Story", "Yarn", "Character Study",
  "Display", "Drama", "Documentary", "Saga"
] as const
const DESC_WHO = [
  "Feminist", "Mad Scientist", "Teacher", "Database Administrator", "Explorer", "Lumberjack", "Car", "Frisbee",
  "Monkey", "Pastry Chef", "Dentist", "Robot", "Boy", "Sumo Wrestler", "Hunter", "Butler", "Moose", "Girl",
  "Forensic Psychologist", "Astronaut", "Crocodile", "Cat", "Dog", "Squirrel", "Woman", "Man", "Composer", "Technical Writer"
] as const
const DESC_VERB = [
  "Battle", "Find", "Sink", "Chase", "Pursue", "Escape", "Discover", "Confront", "Outgun", "Reach", "Meet",
  "Defeat", "Kill", "Redeem", "Outrace", "Fight", "Overcome", "Vanquish", "Succumb", "Build", "Face", "Challenge"
] as const
const DESC_PLACE = [
  "The Canadian Rockies", "Ancient China", "A Baloon Factory", "A Shark Tank", "The Gulf of Mexico", "A Jet Boat",
  "Ancient India", "A Manhattan Penthouse", "Soviet Georgia", "Nigeria", "The Outback", "A MySQL Convention",
  "An Abandoned Fun House", "Berlin", "The First Manned Space Station", "A U-Boat", "Australia", "A Monastery"
] as const

export const generateSakila = (seed: number) => {
  const rng = makeRng(deriveSeed(seed, "sakila"))

  const language: LanguageRow[] = LANGUAGE_NAMES.map((name, i) => ({
    language_id: i + 1,
    name,
    last_update: new Date(LANGUAGE_UPDATED)
  }))

  const category: CategoryRow[] = CATEGORY_NAMES.map((name, i) => ({
    category_id: i + 1,
    name,
    last_update: new Date(CATEGORY_UPDATED)
  }))

  const titles = new Set<string>()
  while (titles.size < 1000) titles.add(`${rng.pick(TITLE_FIRST)} ${rng.pick(TITLE_SECOND)}`)
  // The real data numbers films in title order.
  const sortedTitles = [...titles].sort()

  const film: FilmRow[] = sortedTitles.map((title, i) => {
    // Same template (and article grammar) as the real descriptions.
    const description =
      `A ${rng.pick(DESC_ADJ)} ${rng.pick(DESC_KIND)} of a ${rng.pick(DESC_WHO)} And a ${rng.pick(DESC_WHO)} ` +
      `who must ${rng.pick(DESC_VERB)} a ${rng.pick(DESC_WHO)} in ${rng.pick(DESC_PLACE)}`
    const language_id = rng.weighted<number>([[1, 0.9], [2, 0.02], [3, 0.02], [4, 0.02], [5, 0.02], [6, 0.02]])
    let original_language_id: number | null = null
    if (rng.next() < 0.1) {
      const other = rng.int(1, 5)
      original_language_id = other >= language_id ? other + 1 : other
    }
    const features = SPECIAL_FEATURES.filter(() => rng.next() < 0.5)
    return {
      film_id: i + 1,
      title,
      description,
      release_year: 2006,
      language_id,
      original_language_id,
      rental_duration: rng.int(3, 7),
      rental_rate: rng.pick(["0.99", "2.99", "4.99"]),
      length: rng.next() < 0.01 ? null : rng.int(46, 185),
      replacement_cost: `${rng.int(9, 29)}.99`,
      rating: rng.pick(RATINGS),
      special_features: features.length === 0 ? null : features.join(","),
      last_update: new Date(FILM_UPDATED + rng.int(0, 600) * 1000)
    }
  })

  const film_category: FilmCategoryRow[] = film.map((f) => ({
    film_id: f.film_id,
    category_id: rng.int(1, CATEGORY_NAMES.length),
    last_update: new Date(FILM_CATEGORY_UPDATED + rng.int(0, 600) * 1000)
  }))

  return { film, category, film_category, language }
}

export type SakilaTables = ReturnType<typeof generateSakila>
