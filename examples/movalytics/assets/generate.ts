/**
 * Movalytics' deliveries, generated to the shapes of the movies dataset (movies_metadata, ratings, credits, links)
 * and a monthly consumer price index. The first delivery (2023-01) is the initial load; each later one re-sends
 * some rows unchanged, changes 10% of the known rows, adds 5% new ones, and (from 2023-03) flags a few movies
 * deleted. The same seed gives the same bytes.
 */
const rng = (seed: number) => {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { next, int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)) }
}

export const TABLES = {
  movies_metadata: ["id", "imdb_id", "title", "original_language", "release_date", "budget", "revenue", "runtime", "popularity", "vote_average", "vote_count", "deleted"],
  ratings: ["userId", "movieId", "rating", "timestamp"],
  credits: ["id", "director", "lead_actor", "cast_size"],
  links: ["movieId", "imdbId", "tmdbId"],
  cpi: ["period", "cpi"]
} as const
export type Table = keyof typeof TABLES
export type Row = Record<string, string>

export const DELIVERY_MONTHS = ["2023-01", "2023-02", "2023-03"] as const
const pad = (n: number, w = 2) => String(n).padStart(w, "0")
const LANGS = ["en", "fr", "es", "de", "ja", "pt"]

const movie = (id: number, version: number): Row => ({
  id: String(id),
  imdb_id: `tt${pad(id * 7 + 1000, 7)}`,
  title: `Title ${id}`,
  original_language: LANGS[id % LANGS.length]!,
  release_date: `${1980 + (id % 40)}-${pad((id % 12) + 1)}-${pad((id % 27) + 1)}`,
  budget: String((id % 50) * 1_000_000),
  revenue: String((id % 70) * 1_500_000 + version * 1000),
  runtime: String(80 + (id % 70)),
  popularity: (((id * 37) % 300) / 10 + version).toFixed(3),
  vote_average: ((id % 90) / 10 + 1).toFixed(1),
  vote_count: String(id * 3 + version * 11),
  deleted: "0"
})
const rating = (user: number, movieId: number, version: number): Row => ({
  userId: String(user),
  movieId: String(movieId),
  rating: String(((user * 7 + movieId * 3 + version) % 10) / 2 + 0.5),
  // in 2022: the month the rating was given, which the report joins with the CPI
  timestamp: String(Date.UTC(2022, (user + movieId) % 12, ((user * movieId) % 27) + 1, 12) / 1000 + version * 60)
})
const credit = (id: number, version: number): Row => ({ id: String(id), director: `Director ${(id * 13 + version) % 97}`, lead_actor: `Actor ${(id * 31) % 211}`, cast_size: String(5 + ((id + version) % 40)) })
const link = (id: number, version: number): Row => ({ movieId: String(id), imdbId: String(id * 7 + 1000), tmdbId: String(id * 11 + 50000 + version) })

/** The keys a delivery changes and adds, beside its rows: what a test checks the merge against. */
export interface Delivery {
  readonly month: string
  readonly rows: Readonly<Record<Table, ReadonlyArray<Row>>>
  /** per table, the keys (joined with "|") of rows sent with new values, sent for the first time, and flagged deleted */
  readonly changed: Readonly<Record<Table, ReadonlyArray<string>>>
  readonly added: Readonly<Record<Table, ReadonlyArray<string>>>
  readonly deleted: ReadonlyArray<string>
}

/** Every delivery up to `month`, in order (later ones depend on what the earlier ones sent). */
export const deliveries = (seed: number, upTo: string = DELIVERY_MONTHS[DELIVERY_MONTHS.length - 1]!): ReadonlyArray<Delivery> => {
  const r = rng(seed)
  const out: Array<Delivery> = []
  // what has been sent so far, by table and key: the version of the row
  const known: Record<Table, Map<string, number>> = { movies_metadata: new Map(), ratings: new Map(), credits: new Map(), links: new Map(), cpi: new Map() }
  let nextMovie = 1
  const cpiValue = (m: string, v: number) => (260 + (Number(m.slice(0, 4)) - 2020) * 12 * 0.45 + Number(m.slice(5, 7)) * 0.45 + v * 0.1).toFixed(3)
  const render = (t: Table, key: string, v: number): Row => {
    const [a, b] = key.split("|").map(Number) as [number, number]
    if (t === "movies_metadata") return movie(a, v)
    if (t === "ratings") return rating(a, b, v)
    if (t === "credits") return credit(a, v)
    if (t === "links") return link(a, v)
    return { period: key, cpi: cpiValue(key, v) }
  }
  for (const month of DELIVERY_MONTHS) {
    if (month > upTo) break
    const rows: Record<Table, Array<Row>> = { movies_metadata: [], ratings: [], credits: [], links: [], cpi: [] }
    const changed: Record<Table, Array<string>> = { movies_metadata: [], ratings: [], credits: [], links: [], cpi: [] }
    const added: Record<Table, Array<string>> = { movies_metadata: [], ratings: [], credits: [], links: [], cpi: [] }
    const deleted: Array<string> = []
    const add = (t: Table, key: string) => {
      known[t].set(key, 0)
      added[t].push(key)
      rows[t].push(render(t, key, 0))
    }
    const first = out.length === 0
    const newMovies = first ? 300 : 15
    for (let i = 0; i < newMovies; i++) {
      const id = String(nextMovie++)
      add("movies_metadata", id)
      add("credits", id)
      add("links", id)
    }
    // ratings: new pairs over the movies known now
    const movieIds = [...known.movies_metadata.keys()]
    const newRatings = first ? 2000 : 100
    for (let made = 0; made < newRatings; ) {
      const key = `${r.int(1, 400)}|${movieIds[r.int(0, movieIds.length - 1)]}`
      if (known.ratings.has(key)) continue
      add("ratings", key)
      made++
    }
    const months = first ? Array.from({ length: 36 }, (_, i) => `${2020 + Math.floor(i / 12)}-${pad((i % 12) + 1)}`) : [month]
    for (const m of months) if (!known.cpi.has(m)) add("cpi", m)
    if (!first) {
      // 10% of the rows known before this delivery change, and as many again are re-sent as they were
      for (const t of ["movies_metadata", "ratings", "credits", "links", "cpi"] as const) {
        const before = [...known[t].keys()].filter((k) => !added[t].includes(k))
        const pick = (n: number, taken: Set<string>) => {
          const chosen: Array<string> = []
          while (chosen.length < n) {
            const k = before[r.int(0, before.length - 1)]!
            if (taken.has(k)) continue
            taken.add(k)
            chosen.push(k)
          }
          return chosen
        }
        const taken = new Set<string>()
        for (const k of pick(Math.round(before.length * 0.1), taken)) {
          known[t].set(k, known[t].get(k)! + 1)
          changed[t].push(k)
          rows[t].push(render(t, k, known[t].get(k)!))
        }
        for (const k of pick(Math.round(before.length * 0.1), taken)) rows[t].push(render(t, k, known[t].get(k)!))
        if (t === "movies_metadata" && month >= "2023-03") {
          for (const k of pick(3, taken)) {
            deleted.push(k)
            known[t].delete(k)
            rows[t].push({ ...render(t, k, 0), deleted: "1" })
          }
        }
      }
    }
    out.push({ month, rows, changed, added, deleted })
  }
  return out
}

const csvField = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)
export const csvOf = (t: Table, rows: ReadonlyArray<Row>) => `${TABLES[t].join(",")}\n${rows.map((row) => TABLES[t].map((c) => csvField(row[c] ?? "")).join(",")).join("\n")}\n`

/** Where a table's delivery of a month lands. */
export const landingPath = (t: Table, month: string) => `landing/movalytics/${t}/${month.slice(0, 4)}/${month.slice(5, 7)}/${t}.csv`
