import { deriveSeed, makeRng, type Rng } from "./rng.js"

export interface SimulateOptions {
  seed: number
  months: ReadonlyArray<string> /* "YYYY-MM" */
  eventsPerMonth: number
  lateFraction?: number /* default 0.02 */
  malformedFraction?: number /* default 0 */
}

export interface LandingFile {
  arrivalMonth: string /* "YYYY-MM" = folder streaming/YYYY/MM/ */
  name: string
  lines: string[]
}

export const EVENT_TYPES = ["rent", "buy", "trailer"] as const
export const DISTRIBUTORS = [
  "amazon prime", "google play", "apple itunes", "vudo", "fandango now", "microsoft", "youtube"
] as const
export const PLATFORMS = ["ios", "android", "xbox", "playstation", "smart tv", "other"] as const
export const US_STATES = [
  "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
  "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
  "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
  "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma",
  "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah",
  "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming"
] as const

/** How often each event type comes (the KDG template of the original pipeline weighs them the same). */
export const EVENT_WEIGHTS: ReadonlyArray<readonly [string, number]> = [["rent", 0.3], ["buy", 0.1], ["trailer", 0.6]]
const OFFSETS: ReadonlyArray<readonly [number, string]> = [
  [-480, "-08:00"], [-420, "-07:00"], [-300, "-05:00"], [-240, "-04:00"], [0, "+00:00"], [60, "+01:00"], [120, "+02:00"]
]
const DAY = 86400
const LATE_WINDOW = 2 * DAY
// Late events reach Firehose within the first hours of the next month.
const LATE_MAX_DELAY = 6 * 3600
export const FILM_COUNT = 1000

const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"))
const p2 = (n: number): string => PAD2[n] as string

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/
const parseMonth = (month: string): { y: number; m: number } => {
  const match = MONTH_RE.exec(month)
  if (!match) throw new Error(`Invalid month "${month}", expected YYYY-MM`)
  return { y: Number(match[1]), m: Number(match[2]) }
}
const formatMonth = (y: number, m: number): string => `${y}-${String(m).padStart(2, "0")}`
const addMonths = (month: string, n: number): string => {
  const { y, m } = parseMonth(month)
  const idx = y * 12 + (m - 1) + n
  return formatMonth(Math.floor(idx / 12), (idx % 12) + 1)
}
const monthStartSec = (month: string): number => {
  const { y, m } = parseMonth(month)
  return Date.UTC(y, m - 1, 1) / 1000
}

export function monthRange(from: string, to: string): string[] {
  const a = parseMonth(from)
  const b = parseMonth(to)
  const out: string[] = []
  for (let i = a.y * 12 + a.m - 1; i <= b.y * 12 + b.m - 1; i++) out.push(formatMonth(Math.floor(i / 12), (i % 12) + 1))
  return out
}

/** Formats epoch seconds as "YYYY-MM-DDTHH:MM:SS±hh:mm"; caches the date part per local day for speed. */
const makeTimestampFormatter = () => {
  const dayPrefix = new Map<number, string>()
  return (sec: number, offsetMin: number, offsetStr: string): string => {
    const local = sec + offsetMin * 60
    const day = Math.floor(local / DAY)
    let prefix = dayPrefix.get(day)
    if (prefix === undefined) {
      prefix = new Date(day * DAY * 1000).toISOString().slice(0, 11)
      dayPrefix.set(day, prefix)
    }
    const rem = local - day * DAY
    const h = Math.floor(rem / 3600)
    const mi = Math.floor((rem % 3600) / 60)
    return `${prefix}${p2(h)}:${p2(mi)}:${p2(rem % 60)}${offsetStr}`
  }
}

/** Firehose object-name timestamp (UTC): YYYY-MM-DD-HH-MM-SS. */
const firehoseStamp = (sec: number): string => new Date(sec * 1000).toISOString().slice(0, 19).replace(/[-T:]/g, "-")

const hex = (rng: Rng, chars: number): string => {
  let s = ""
  while (s.length < chars) s += Math.floor(rng.next() * 0x100000000).toString(16).padStart(8, "0")
  return s.slice(0, chars)
}

const fileName = (rng: Rng, firstArrivalSec: number): string =>
  `sakila-stream-1-${firehoseStamp(firstArrivalSec)}-${hex(rng, 16)}.jsonl`

// Template literals build rope strings (many small heap objects); a retained 1M-line output then costs
// ~450 MB and most of the run in GC. Indexing into the string makes V8 flatten it (~160 MB, ~2x faster).
const flat = (s: string): string => {
  s.charCodeAt(s.length >> 1)
  return s
}

type Format = ReturnType<typeof makeTimestampFormatter>

const buildLine = (rng: Rng, fmt: Format, sec: number, malformedFraction: number): string => {
  const [offMin, offStr] = rng.pick(OFFSETS)
  const ts = fmt(sec, offMin, offStr)
  let eventType = rng.weighted(EVENT_WEIGHTS)
  let filmId = rng.int(1, FILM_COUNT)
  const distributor = rng.pick(DISTRIBUTORS)
  const platform = rng.pick(PLATFORMS)
  const state = rng.pick(US_STATES)
  if (malformedFraction > 0 && rng.next() < malformedFraction) {
    switch (rng.int(0, 3)) {
      case 0: {
        const full = `{"timestamp":"${ts}","eventType":"${eventType}","film_id":${filmId},"distributor":"${distributor}","platform":"${platform}","state":"${state}"}`
        // Any strict prefix of an object is invalid JSON.
        return full.slice(0, rng.int(1, full.length - 1))
      }
      case 1:
        eventType = "stream"
        break
      case 2:
        filmId = rng.next() < 0.5 ? 0 : FILM_COUNT + 1
        break
      default:
        return `{"timestamp":"${ts}","eventType":"${eventType}","film_id":${filmId},"distributor":"${distributor}","platform":"${platform}"}`
    }
  }
  return flat(
    `{"timestamp":"${ts}","eventType":"${eventType}","film_id":${filmId},"distributor":"${distributor}","platform":"${platform}","state":"${state}"}`
  )
}

/** n uniform event times (epoch seconds) within the UTC month, ascending. */
const monthTimes = (rng: Rng, month: string, n: number): Float64Array => {
  const start = monthStartSec(month)
  const span = monthStartSec(addMonths(month, 1)) - start
  const secs = new Float64Array(n)
  for (let i = 0; i < n; i++) secs[i] = start + Math.floor(rng.next() * span)
  return secs.sort()
}

interface Arrivals {
  secs: number[]
  lines: string[]
}

const splitIntoFiles = (rng: Rng, arrivalMonth: string, arr: Arrivals): LandingFile[] => {
  const n = arr.lines.length
  if (n === 0) return []
  const k = n < 100 ? 1 : rng.int(2, 4)
  const files: LandingFile[] = []
  for (let i = 0; i < k; i++) {
    const from = Math.floor((i * n) / k)
    const to = Math.floor(((i + 1) * n) / k)
    files.push({ arrivalMonth, name: fileName(rng, arr.secs[from] as number), lines: arr.lines.slice(from, to) })
  }
  return files
}

/**
 * Events are bucketed by arrival month (Firehose prefixes by arrival time, UTC). Each event in the last
 * 2 days of its month is late with probability lateFraction and lands under the next month.
 * Each month's events come from their own RNG stream, so they do not depend on the other months requested.
 */
export function simulateStreams(opts: SimulateOptions): LandingFile[] {
  const lateFraction = opts.lateFraction ?? 0.02
  const malformedFraction = opts.malformedFraction ?? 0
  const n = Math.max(0, Math.floor(opts.eventsPerMonth))
  const months = [...new Set(opts.months)].sort()
  const fmt = makeTimestampFormatter()
  const own = new Map<string, Arrivals>()
  const late = new Map<string, Arrivals>()

  for (const month of months) {
    const rng = makeRng(deriveSeed(opts.seed, "events", month))
    const secs = monthTimes(rng, month, n)
    const nextStart = monthStartSec(addMonths(month, 1))
    const lateFrom = nextStart - LATE_WINDOW
    const onTime: Arrivals = { secs: [], lines: [] }
    const lateList: Array<{ arrival: number; line: string }> = []
    for (let i = 0; i < n; i++) {
      const sec = secs[i] as number
      const line = buildLine(rng, fmt, sec, malformedFraction)
      if (sec >= lateFrom && lateFraction > 0 && rng.next() < lateFraction) {
        lateList.push({ arrival: nextStart + rng.int(0, LATE_MAX_DELAY), line })
      } else {
        onTime.secs.push(sec)
        onTime.lines.push(line)
      }
    }
    own.set(month, onTime)
    if (lateList.length > 0) {
      lateList.sort((a, b) => a.arrival - b.arrival)
      late.set(addMonths(month, 1), { secs: lateList.map((e) => e.arrival), lines: lateList.map((e) => e.line) })
    }
  }

  const arrivalMonths = [...new Set([...own.keys(), ...late.keys()])].sort()
  const files: LandingFile[] = []
  for (const arrivalMonth of arrivalMonths) {
    const a = late.get(arrivalMonth) ?? { secs: [], lines: [] }
    const b = own.get(arrivalMonth) ?? { secs: [], lines: [] }
    // Merge two arrival-sorted lists.
    const merged: Arrivals = { secs: [], lines: [] }
    let i = 0
    let j = 0
    while (i < a.secs.length || j < b.secs.length) {
      if (j >= b.secs.length || (i < a.secs.length && (a.secs[i] as number) <= (b.secs[j] as number))) {
        merged.secs.push(a.secs[i] as number)
        merged.lines.push(a.lines[i] as string)
        i++
      } else {
        merged.secs.push(b.secs[j] as number)
        merged.lines.push(b.lines[j] as string)
        j++
      }
    }
    files.push(...splitIntoFiles(makeRng(deriveSeed(opts.seed, "files", arrivalMonth)), arrivalMonth, merged))
  }
  return files
}

/** One extra file of valid, on-time events for a month (its own RNG stream, so a new file name). */
export function appendEvents(opts: { seed: number; month: string; count: number }): LandingFile {
  const rng = makeRng(deriveSeed(opts.seed, "append", opts.month))
  const n = Math.max(0, Math.floor(opts.count))
  const secs = monthTimes(rng, opts.month, n)
  const fmt = makeTimestampFormatter()
  const lines: string[] = new Array(n)
  for (let i = 0; i < n; i++) lines[i] = buildLine(rng, fmt, secs[i] as number, 0)
  const first = n > 0 ? (secs[0] as number) : monthStartSec(opts.month)
  return { arrivalMonth: opts.month, name: fileName(rng, first), lines }
}
