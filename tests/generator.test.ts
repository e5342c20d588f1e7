import { describe, expect, it } from "vitest"
import { generateSakila, sakilaColumns } from "../assets/generated/generateSakila.js"
import { makeRng } from "../assets/generated/rng.js"
import {
  appendEvents,
  monthRange,
  simulateStreams,
  type LandingFile
} from "../assets/generated/simulateStreams.js"

const CATEGORIES = [
  "Action", "Animation", "Children", "Classics", "Comedy", "Documentary", "Drama", "Family",
  "Foreign", "Games", "Horror", "Music", "New", "Sci-Fi", "Sports", "Travel"
]
const LANGUAGES = ["English", "Italian", "Japanese", "Mandarin", "French", "German"]
const FEATURES = ["Trailers", "Commentaries", "Deleted Scenes", "Behind the Scenes"]

const EVENT_TYPES = new Set(["rent", "buy", "trailer"])
const DISTRIBUTORS = new Set([
  "amazon prime", "google play", "apple itunes", "vudo", "fandango now", "microsoft", "youtube"
])
const PLATFORMS = new Set(["ios", "android", "xbox", "playstation", "smart tv", "other"])
const STATES = new Set([
  "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
  "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
  "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
  "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma",
  "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah",
  "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming"
])
const KEYS = ["timestamp", "eventType", "film_id", "distributor", "platform", "state"]
const TS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/

interface Event {
  timestamp: string
  eventType: string
  film_id: number
  distributor: string
  platform: string
  state: string
}

/** Strict partner-format validator: returns the event, or why the line is rejected. */
const validate = (line: string): { ok: true; event: Event } | { ok: false; reason: string } => {
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch {
    return { ok: false, reason: "json" }
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return { ok: false, reason: "not-object" }
  const o = v as Record<string, unknown>
  const keys = Object.keys(o)
  if (keys.length !== KEYS.length || !KEYS.every((k) => keys.includes(k))) return { ok: false, reason: "keys" }
  if (typeof o.timestamp !== "string" || !TS_RE.test(o.timestamp) || Number.isNaN(Date.parse(o.timestamp)))
    return { ok: false, reason: "timestamp" }
  if (typeof o.eventType !== "string" || !EVENT_TYPES.has(o.eventType)) return { ok: false, reason: "eventType" }
  if (typeof o.film_id !== "number" || !Number.isInteger(o.film_id) || o.film_id < 1 || o.film_id > 1000)
    return { ok: false, reason: "film_id" }
  if (typeof o.distributor !== "string" || !DISTRIBUTORS.has(o.distributor)) return { ok: false, reason: "distributor" }
  if (typeof o.platform !== "string" || !PLATFORMS.has(o.platform)) return { ok: false, reason: "platform" }
  if (typeof o.state !== "string" || !STATES.has(o.state)) return { ok: false, reason: "state" }
  return { ok: true, event: o as unknown as Event }
}

const utcMonth = (ts: string): string => new Date(ts).toISOString().slice(0, 7)
const prevMonth = (month: string): string => {
  const [y, m] = month.split("-").map(Number) as [number, number]
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`
}
const allLines = (files: LandingFile[]): string[] => files.flatMap((f) => f.lines)

describe("makeRng", () => {
  it("is deterministic and int() is inclusive", () => {
    const a = makeRng(42)
    const b = makeRng(42)
    const xs = Array.from({ length: 1000 }, () => a.next())
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs)
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
    const r = makeRng(7)
    const seen = new Set(Array.from({ length: 2000 }, () => r.int(3, 7)))
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7])
    expect(makeRng(1).next()).not.toBe(makeRng(2).next())
  })

  it("weighted() follows the weights", () => {
    const r = makeRng(3)
    let a = 0
    for (let i = 0; i < 20000; i++) if (r.weighted([["a", 0.25], ["b", 0.75]] as const) === "a") a++
    expect(a / 20000).toBeCloseTo(0.25, 1)
  })
})

describe("generateSakila", () => {
  const t = generateSakila(1)

  it("is deterministic per seed and differs across seeds", () => {
    expect(generateSakila(1)).toEqual(t)
    const other = generateSakila(2)
    expect(other.film.map((f) => f.title)).not.toEqual(t.film.map((f) => f.title))
    expect(other.film_category.map((fc) => fc.category_id)).not.toEqual(t.film_category.map((fc) => fc.category_id))
  })

  it("has the real languages and categories", () => {
    expect(t.language.map((l) => [l.language_id, l.name])).toEqual(LANGUAGES.map((n, i) => [i + 1, n]))
    expect(t.category.map((c) => [c.category_id, c.name])).toEqual(CATEGORIES.map((n, i) => [i + 1, n]))
    for (const row of [...t.language, ...t.category]) expect(row.last_update).toBeInstanceOf(Date)
  })

  it("has 1000 well-formed films and one category per film", () => {
    expect(t.film).toHaveLength(1000)
    expect(t.film.map((f) => f.film_id)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1))
    expect(new Set(t.film.map((f) => f.title)).size).toBe(1000)
    for (const f of t.film) {
      expect(f.title).toMatch(/^[A-Z]+( [A-Z]+)+$/)
      expect(typeof f.description).toBe("string")
      expect(f.release_year).toBeGreaterThanOrEqual(2000)
      expect(f.language_id).toBeGreaterThanOrEqual(1)
      expect(f.language_id).toBeLessThanOrEqual(6)
      if (f.original_language_id !== null) expect(f.original_language_id).not.toBe(f.language_id)
      expect(f.rental_duration).toBeGreaterThanOrEqual(3)
      expect(f.rental_duration).toBeLessThanOrEqual(7)
      expect(["0.99", "2.99", "4.99"]).toContain(f.rental_rate)
      if (f.length !== null) expect(f.length >= 46 && f.length <= 185).toBe(true)
      expect(f.replacement_cost).toMatch(/^\d+\.99$/)
      expect(Number(f.replacement_cost) >= 9.99 && Number(f.replacement_cost) <= 29.99).toBe(true)
      expect(["G", "PG", "PG-13", "R", "NC-17"]).toContain(f.rating)
      if (f.special_features !== null) {
        const parts = f.special_features.split(",")
        // SET values come back in definition order, no duplicates
        expect(parts).toEqual(FEATURES.filter((x) => parts.includes(x)))
      }
      expect(Number.isNaN(f.last_update.getTime())).toBe(false)
    }
    expect(t.film.filter((f) => f.language_id === 1).length).toBeGreaterThan(800)
    expect(t.film.filter((f) => f.original_language_id === null).length).toBeGreaterThan(800)

    expect(t.film_category.map((fc) => fc.film_id)).toEqual(t.film.map((f) => f.film_id))
    for (const fc of t.film_category) expect(fc.category_id >= 1 && fc.category_id <= 16).toBe(true)
    expect(new Set(t.film_category.map((fc) => fc.category_id)).size).toBe(16)
  })

  it("rows carry exactly the schema columns, in schema order", () => {
    expect(Object.keys(t.film[0]!)).toEqual(sakilaColumns.film)
    expect(Object.keys(t.category[0]!)).toEqual(sakilaColumns.category)
    expect(Object.keys(t.film_category[0]!)).toEqual(sakilaColumns.film_category)
    expect(Object.keys(t.language[0]!)).toEqual(sakilaColumns.language)
    expect(sakilaColumns.film[0]).toBe("film_id")
    expect(sakilaColumns.film.at(-1)).toBe("last_update")
  })
})

describe("simulateStreams", () => {
  it("is deterministic per seed", () => {
    const opts = { seed: 9, months: ["2023-08", "2023-09"], eventsPerMonth: 2000, malformedFraction: 0.05 }
    const a = simulateStreams(opts)
    expect(simulateStreams(opts)).toEqual(a)
    expect(allLines(simulateStreams({ ...opts, seed: 10 }))).not.toEqual(allLines(a))
  })

  it("writes well-named files, at most 4 per arrival month", () => {
    const files = simulateStreams({ seed: 1, months: monthRange("2023-01", "2023-03"), eventsPerMonth: 3000 })
    expect(new Set(files.map((f) => `${f.arrivalMonth}/${f.name}`)).size).toBe(files.length)
    for (const f of files) {
      expect(f.name).toMatch(/^sakila-stream-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f]+\.jsonl$/)
      // the object name carries the arrival time, which is in the arrival month
      expect(f.name.slice("sakila-stream-1-".length, "sakila-stream-1-".length + 7)).toBe(f.arrivalMonth)
      expect(f.lines.length).toBeGreaterThan(0)
    }
    for (const m of ["2023-01", "2023-02", "2023-03"]) {
      const n = files.filter((f) => f.arrivalMonth === m).length
      expect(n).toBeGreaterThanOrEqual(1)
      expect(n).toBeLessThanOrEqual(4)
    }
    expect(allLines(files).length).toBe(9000)
  })

  it("produces valid events with roughly 0.3/0.1/0.6 event types", () => {
    const lines = allLines(simulateStreams({ seed: 5, months: ["2023-08"], eventsPerMonth: 20000 }))
    expect(lines).toHaveLength(20000)
    const counts: Record<string, number> = { rent: 0, buy: 0, trailer: 0 }
    for (const line of lines) {
      const r = validate(line)
      if (!r.ok) throw new Error(`invalid line (${r.reason}): ${line}`)
      counts[r.event.eventType]!++
    }
    expect(Math.abs(counts.rent! / 20000 - 0.3)).toBeLessThan(0.02)
    expect(Math.abs(counts.buy! / 20000 - 0.1)).toBeLessThan(0.02)
    expect(Math.abs(counts.trailer! / 20000 - 0.6)).toBeLessThan(0.02)
    const offsets = new Set(lines.map((l) => (JSON.parse(l) as Event).timestamp.slice(-6)))
    expect(offsets.size).toBeGreaterThanOrEqual(5)
  })

  it("lands events by UTC arrival month, with late ones from the last 2 days in the next month", () => {
    const months = monthRange("2023-01", "2023-06")
    const files = simulateStreams({ seed: 11, months, eventsPerMonth: 5000 })
    let late = 0
    const problems: string[] = []
    for (const f of files) {
      let prevOnTime = -Infinity
      for (const line of f.lines) {
        const r = validate(line)
        if (!r.ok) {
          problems.push(`invalid (${r.reason}): ${line}`)
          continue
        }
        const m = utcMonth(r.event.timestamp)
        const t = Date.parse(r.event.timestamp)
        if (m === f.arrivalMonth) {
          // on-time events are in timestamp order within a file
          if (t < prevOnTime) problems.push(`out of order in ${f.name}: ${line}`)
          prevOnTime = t
        } else if (m !== prevMonth(f.arrivalMonth)) {
          problems.push(`month ${m} under arrival ${f.arrivalMonth}: ${line}`)
        } else {
          const arrivalStart = Date.parse(`${f.arrivalMonth}-01T00:00:00Z`)
          if (arrivalStart - t > 2 * 86400 * 1000) problems.push(`late but not from the last 2 days: ${line}`)
          late++
        }
      }
    }
    expect(problems.slice(0, 5)).toEqual([])
    expect(late).toBeGreaterThan(0)
    // late events of the last month still land under the month after it
    expect(files.some((f) => f.arrivalMonth === "2023-07")).toBe(true)
    expect(allLines(files).length).toBe(30000)

    const none = simulateStreams({ seed: 11, months, eventsPerMonth: 5000, lateFraction: 0 })
    const misplaced = none.flatMap((f) =>
      f.lines.filter((line) => utcMonth((JSON.parse(line) as Event).timestamp) !== f.arrivalMonth)
    )
    expect(misplaced).toEqual([])
    expect(none.some((f) => f.arrivalMonth === "2023-07")).toBe(false)
  })

  it("malformedFraction=0.05 yields about 5% invalid lines of every kind", () => {
    const lines = allLines(
      simulateStreams({ seed: 3, months: ["2023-08", "2023-09"], eventsPerMonth: 10000, malformedFraction: 0.05 })
    )
    const reasons: Record<string, number> = {}
    let bad = 0
    for (const line of lines) {
      const r = validate(line)
      if (!r.ok) {
        bad++
        reasons[r.reason] = (reasons[r.reason] ?? 0) + 1
      }
    }
    expect(Math.abs(bad / lines.length - 0.05)).toBeLessThan(0.01)
    for (const kind of ["json", "eventType", "film_id", "keys"]) expect(reasons[kind] ?? 0).toBeGreaterThan(0)
    expect(lines.some((l) => l.includes('"eventType":"stream"'))).toBe(true)
    expect(lines.some((l) => /"film_id":(0|1001),/.test(l))).toBe(true)

    const clean = allLines(simulateStreams({ seed: 3, months: ["2023-08"], eventsPerMonth: 5000 }))
    expect(clean.every((l) => validate(l).ok)).toBe(true)
  })
})

describe("appendEvents", () => {
  it("adds a new deterministic file of valid events for one month", () => {
    const existing = simulateStreams({ seed: 1, months: ["2023-08"], eventsPerMonth: 1000 })
    const extra = appendEvents({ seed: 1, month: "2023-08", count: 250 })
    expect(appendEvents({ seed: 1, month: "2023-08", count: 250 })).toEqual(extra)
    expect(extra.arrivalMonth).toBe("2023-08")
    expect(extra.lines).toHaveLength(250)
    expect(existing.map((f) => f.name)).not.toContain(extra.name)
    for (const line of extra.lines) {
      const r = validate(line)
      if (!r.ok) throw new Error(`invalid line (${r.reason}): ${line}`)
      expect(utcMonth(r.event.timestamp)).toBe("2023-08")
    }
  })
})

describe("monthRange", () => {
  it("spans a year boundary inclusively", () => {
    expect(monthRange("2022-11", "2023-02")).toEqual(["2022-11", "2022-12", "2023-01", "2023-02"])
    expect(monthRange("2023-01", "2023-03")).toEqual(["2023-01", "2023-02", "2023-03"])
    expect(monthRange("2023-05", "2023-05")).toEqual(["2023-05"])
    expect(monthRange("2023-01", "2024-12")).toHaveLength(24)
    expect(() => monthRange("2023-13", "2024-01")).toThrow()
  })
})
