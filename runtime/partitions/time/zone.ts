/** Wall-clock fields of an instant in a time zone (month 1-12). */
export interface Wall {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

const formatterOf = (zone: string): Intl.DateTimeFormat => {
  let f = formatters.get(zone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric"
    })
    formatters.set(zone, f)
  }
  return f
}

/**
 * Whether the runtime knows the IANA zone. UTC, the zone of most definitions, is known without building a formatter
 * (loading ICU's zone data cost about 15 ms of every command's start), and wallAt, offsetAt and utcOf need none for it.
 */
export const isZone = (zone: string): boolean => {
  if (zone === "UTC") return true
  try {
    formatterOf(zone)
    return true
  } catch {
    return false
  }
}

/** The zone's wall clock at a UTC instant. */
export const wallAt = (zone: string, utcMs: number): Wall => {
  if (zone === "UTC") {
    const d = new Date(utcMs)
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() }
  }
  const parts: Record<string, number> = {}
  for (const p of formatterOf(zone).formatToParts(new Date(utcMs))) if (p.type !== "literal") parts[p.type] = Number(p.value)
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute! }
}

const wallAsUtc = (w: Wall): number => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute)

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
export const offsetAt = (zone: string, utcMs: number): number =>
  zone === "UTC" ? 0 : wallAsUtc(wallAt(zone, Math.floor(utcMs / 60_000) * 60_000)) - Math.floor(utcMs / 60_000) * 60_000

/**
 * The UTC instant the zone's clock shows `w`. A wall time skipped by a DST jump maps to the instant after the gap;
 * a repeated one to its first occurrence.
 */
export const utcOf = (zone: string, w: Wall): number => {
  const guess = wallAsUtc(w)
  if (zone === "UTC") return guess
  const first = guess - offsetAt(zone, guess)
  const second = guess - offsetAt(zone, first)
  // the earlier of the candidates that show `w` (the first occurrence of a repeated hour)
  const candidates = [first, second, guess - offsetAt(zone, guess - 3_600_000)].filter((t) => wallAsUtc(wallAt(zone, t)) === guess)
  return candidates.length > 0 ? Math.min(...candidates) : Math.max(first, second)
}
