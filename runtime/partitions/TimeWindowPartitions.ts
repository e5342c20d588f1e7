import { Either } from "effect"
import type { PartitionKey } from "./PartitionKey.js"
import { badKeyCharacter, PartitionError, type PartitionContext, type PartitionsDefinition, type Window } from "./PartitionsDefinition.js"
import { calendarIndex, calendarStart, DEFAULT_FORMATS, formatOffset, formatWall, wallParser, type TimeUnit } from "./time/units.js"
import { isZone, offsetAt, utcOf, wallAt, type Wall } from "./time/zone.js"

export interface TimeWindowOptions {
  /** the first partition: a date (`2023-01-01`), a month (`2023-01`) or a key in `format`; the window containing it */
  readonly start: string
  /** the last partition (inclusive), written like `start`; default: the last closed window */
  readonly end?: string
  /** IANA time zone the windows follow (default UTC); keys are written in its local time */
  readonly timezone?: string
  /** key format with YYYY MM DD HH mm; defaults: 2023-08-14-13:00, 2023-08-14, 2023-08 (monthly), 2023 (yearly) */
  readonly format?: string
  /** the window still open now is a partition too (e.g. a landing zone written as data arrives); default false */
  readonly includeOpen?: boolean
}

export interface WeeklyOptions extends TimeWindowOptions {
  /** the first day of a week, 0 Sunday .. 6 Saturday (default 1, Monday, as ISO 8601) */
  readonly weekStart?: number
}

/** Partitions that are consecutive time windows: the window with index i is followed by i + 1. */
export interface TimeWindowPartitions extends PartitionsDefinition {
  readonly _tag: "TimeWindow"
  readonly unit: TimeUnit
  readonly timezone: string
  readonly format: string
  readonly includeOpen: boolean
  readonly firstIndex: number
  readonly endIndex: number | undefined
  /** the index of a key written exactly as this definition writes it; undefined for anything else */
  readonly indexOf: (key: string) => number | undefined
  readonly keyAt: (i: number) => PartitionKey
  /** the window's bounds in UTC ms */
  readonly boundsAt: (i: number) => { readonly start: number; readonly end: number }
  /** the index of the window holding an instant */
  readonly indexAt: (utcMs: number) => number
  /** the last index that exists now: the last closed window (or the open one with includeOpen), capped by `end` */
  readonly lastIndex: (now: Date) => number
}

const HOUR = 3_600_000

const makeTimeWindow = (unit: TimeUnit, options: TimeWindowOptions, weekStart = 1): TimeWindowPartitions => {
  const timezone = options.timezone ?? "UTC"
  const format = options.format ?? DEFAULT_FORMATS[unit]
  const includeOpen = options.includeOpen ?? false
  const what = `${unit} partitions`
  if (!isZone(timezone)) throw new Error(`${what}: '${timezone}' is not a time zone this runtime knows (an IANA name, e.g. Europe/Paris)`)
  if (!/YYYY/.test(format) || badKeyCharacter.test(format)) {
    throw new Error(`${what}: format '${format}' needs YYYY and may not hold / \\ | or ,`)
  }
  if (!Number.isInteger(weekStart) || weekStart < 0 || weekStart > 6) throw new Error(`${what}: weekStart is 0 (Sunday) .. 6 (Saturday)`)
  // hourly windows follow the zone's hour boundaries (India's start at :30 UTC)
  const align = unit === "hourly" ? ((offsetAt(timezone, Date.UTC(2000, 0, 1)) % HOUR) + HOUR) % HOUR : 0

  const boundsAt = (i: number) => {
    if (unit === "hourly") return { start: i * HOUR - align, end: (i + 1) * HOUR - align }
    return { start: utcOf(timezone, calendarStart(unit, i, weekStart)), end: utcOf(timezone, calendarStart(unit, i + 1, weekStart)) }
  }
  const indexAt = (ms: number) =>
    unit === "hourly" ? Math.floor((ms + align) / HOUR) : calendarIndex(unit, wallAt(timezone, ms), weekStart)
  const indexOfWall = (w: Wall) => (unit === "hourly" ? indexAt(utcOf(timezone, w)) : calendarIndex(unit, w, weekStart))

  const plainKey = (i: number) => formatWall(format, unit === "hourly" ? wallAt(timezone, boundsAt(i).start) : calendarStart(unit, i, weekStart))
  const keyCache = new Map<number, PartitionKey>()
  const keyAt = (i: number): PartitionKey => {
    let k = keyCache.get(i)
    if (k === undefined) {
      k = plainKey(i) as PartitionKey
      // a repeated local hour (the end of summer time) is written with its offset, so each key names one window
      if (unit === "hourly" && (plainKey(i - 1) === k || plainKey(i + 1) === k)) {
        k = `${k}${formatOffset(offsetAt(timezone, boundsAt(i).start))}` as PartitionKey
      }
      if (keyCache.size > 200_000) keyCache.clear()
      keyCache.set(i, k)
    }
    return k
  }
  const parseWall = wallParser(format, unit === "hourly")
  const indexCache = new Map<string, number | undefined>()
  const indexOf = (key: string): number | undefined => {
    if (indexCache.has(key)) return indexCache.get(key)
    const parsed = parseWall(key)
    let i: number | undefined
    if (parsed !== undefined) {
      const w = parsed.wall
      i =
        parsed.offsetMs !== undefined
          ? indexAt(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - parsed.offsetMs)
          : indexOfWall(w)
      // only the canonical spelling is a key: 2023-02-30, a Tuesday in a Monday-week, a skipped hour are not
      if (keyAt(i) !== key) i = undefined
    }
    if (indexCache.size > 200_000) indexCache.clear()
    indexCache.set(key, i)
    return i
  }
  /** `start`/`end` as dates, months or keys: the window holding that instant */
  const boundIndex = (text: string, name: string): number => {
    const asKey = indexOf(text)
    if (asKey !== undefined) return asKey
    const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T -](\d{2})(?::(\d{2}))?)?)?)?$/.exec(text)
    const bad = () => new Error(`${what}: ${name} '${text}' is neither a key in format ${format} nor a date like 2023-01-01`)
    if (m === null) throw bad()
    if (Number(m[2] ?? 1) < 1 || Number(m[2] ?? 1) > 12 || Number(m[3] ?? 1) < 1 || Number(m[3] ?? 1) > 31 || Number(m[4] ?? 0) > 23) throw bad()
    const w = { year: Number(m[1]), month: Number(m[2] ?? 1), day: Number(m[3] ?? 1), hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0) }
    return indexAt(utcOf(timezone, w))
  }
  const firstIndex = boundIndex(options.start, "start")
  const endIndex = options.end === undefined ? undefined : boundIndex(options.end, "end")
  if (endIndex !== undefined && endIndex < firstIndex) throw new Error(`${what}: end '${options.end}' is before start '${options.start}'`)

  const lastIndex = (now: Date) => {
    const current = indexAt(now.getTime())
    const last = includeOpen ? current : current - 1
    return endIndex === undefined ? last : Math.min(last, endIndex)
  }
  const zoneText = timezone === "UTC" ? "" : ` (${timezone})`
  const rangeText = (ctx: PartitionContext) => {
    const last = lastIndex(ctx.now)
    if (last < firstIndex) return `start ${keyAt(firstIndex)}, whose window has not closed yet`
    const note = endIndex !== undefined && last === endIndex ? "" : includeOpen ? " (the open window included)" : " (the last closed window)"
    return `run from ${keyAt(firstIndex)} to ${keyAt(last)}${note}`
  }
  const contains = (key: string, ctx: PartitionContext) => {
    const i = indexOf(key)
    return i !== undefined && i >= firstIndex && i <= lastIndex(ctx.now)
  }
  const window = (key: string): Window | undefined => {
    const i = indexOf(key)
    if (i === undefined) return undefined
    const b = boundsAt(i)
    return { start: new Date(b.start).toISOString(), end: new Date(b.end).toISOString() }
  }
  const folder = (key: string): string => {
    const i = indexOf(key)
    if (i === undefined) return `partition=${key}/`
    const w = calendarOrWall(i)
    const p2 = (n: number) => String(n).padStart(2, "0")
    switch (unit) {
      case "yearly":
        return `year=${w.year}/`
      case "monthly":
        return `year=${w.year}/month=${p2(w.month)}/`
      case "weekly":
        return `week=${key}/`
      case "daily":
        return `year=${w.year}/month=${p2(w.month)}/day=${p2(w.day)}/`
      case "hourly":
        return `year=${w.year}/month=${p2(w.month)}/day=${p2(w.day)}/hour=${key.replace(/:/g, "")}/`
    }
  }
  const calendarOrWall = (i: number) => (unit === "hourly" ? wallAt(timezone, boundsAt(i).start) : calendarStart(unit, i, weekStart))

  return {
    _tag: "TimeWindow",
    id: `time:${unit}:${timezone}:${format}${unit === "weekly" ? `:${weekStart}` : ""}`,
    describe: `${unit} from ${keyAt(firstIndex)}${endIndex === undefined ? "" : ` to ${keyAt(endIndex)}`}${zoneText}${includeOpen ? ", open window included" : ""}`,
    unit,
    timezone,
    format,
    includeOpen,
    firstIndex,
    endIndex,
    indexOf,
    keyAt,
    boundsAt,
    indexAt,
    lastIndex,
    keys: (ctx) => {
      const out: Array<PartitionKey> = []
      for (let i = firstIndex, last = lastIndex(ctx.now); i <= last; i++) out.push(keyAt(i))
      return out
    },
    contains,
    parse: (text, ctx) => {
      const i = indexOf(text)
      if (i === undefined) {
        return Either.left(
          new PartitionError({
            message: `'${text}' is not a ${unit} partition key: write it as ${format}, e.g. ${keyAt(firstIndex)}${
              unit === "weekly" ? " (a week's first day)" : unit === "hourly" && timezone !== "UTC" ? ` (a local time in ${timezone}; a repeated hour takes its offset, e.g. +01:00)` : ""
            }`
          })
        )
      }
      if (!contains(text, ctx)) {
        return Either.left(new PartitionError({ message: `partition ${text} is out of range: partitions ${rangeText(ctx)}` }))
      }
      return Either.right(text as PartitionKey)
    },
    compare: (a, b) => (indexOf(a) ?? 0) - (indexOf(b) ?? 0),
    folder,
    window,
    dimensions: () => undefined,
    rangeText
  }
}

export const hourly = (options: TimeWindowOptions): TimeWindowPartitions => makeTimeWindow("hourly", options)
export const daily = (options: TimeWindowOptions): TimeWindowPartitions => makeTimeWindow("daily", options)
export const weekly = (options: WeeklyOptions): TimeWindowPartitions => makeTimeWindow("weekly", options, options.weekStart ?? 1)
/** Months `YYYY-MM` (UTC by default). */
export const monthly = (options: TimeWindowOptions): TimeWindowPartitions => makeTimeWindow("monthly", options)
export const yearly = (options: TimeWindowOptions): TimeWindowPartitions => makeTimeWindow("yearly", options)
