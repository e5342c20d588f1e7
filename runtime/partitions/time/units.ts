import type { Wall } from "./zone.js"

export type TimeUnit = "hourly" | "daily" | "weekly" | "monthly" | "yearly"

export const DEFAULT_FORMATS: Readonly<Record<TimeUnit, string>> = {
  hourly: "YYYY-MM-DD-HH:mm",
  daily: "YYYY-MM-DD",
  weekly: "YYYY-MM-DD",
  monthly: "YYYY-MM",
  yearly: "YYYY"
}

const DAY = 86_400_000

/** Days since 1970-01-01 of a calendar date. */
export const dayNumber = (y: number, m: number, d: number): number => Math.floor(Date.UTC(y, m - 1, d) / DAY)

export const dateOfDay = (n: number): Wall => {
  const d = new Date(n * DAY)
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: 0, minute: 0 }
}

/**
 * Calendar indexes for the units longer than an hour: consecutive windows have consecutive indexes, so offsets
 * and ranges are integer arithmetic. `weekStart` is the first day of a week (0 Sunday .. 6 Saturday).
 */
export const calendarIndex = (unit: Exclude<TimeUnit, "hourly">, w: Wall, weekStart: number): number => {
  switch (unit) {
    case "yearly":
      return w.year
    case "monthly":
      return w.year * 12 + w.month - 1
    case "daily":
      return dayNumber(w.year, w.month, w.day)
    case "weekly":
      // 1970-01-01 was a Thursday (4)
      return Math.floor((dayNumber(w.year, w.month, w.day) - ((weekStart - 4 + 7) % 7)) / 7)
  }
}

/** The first calendar day (at 00:00) of the window with this index. */
export const calendarStart = (unit: Exclude<TimeUnit, "hourly">, i: number, weekStart: number): Wall => {
  switch (unit) {
    case "yearly":
      return { year: i, month: 1, day: 1, hour: 0, minute: 0 }
    case "monthly":
      return { year: Math.floor(i / 12), month: (((i % 12) + 12) % 12) + 1, day: 1, hour: 0, minute: 0 }
    case "daily":
      return dateOfDay(i)
    case "weekly":
      return dateOfDay(i * 7 + ((weekStart - 4 + 7) % 7))
  }
}

const pad = (n: number, width: number) => String(n).padStart(width, "0")

export const formatWall = (format: string, w: Wall): string =>
  format.replace(/YYYY|MM|DD|HH|mm/g, (t) =>
    t === "YYYY" ? pad(w.year, 4) : t === "MM" ? pad(w.month, 2) : t === "DD" ? pad(w.day, 2) : t === "HH" ? pad(w.hour, 2) : pad(w.minute, 2)
  )

/** A parser for keys written in `format`; fields the format lacks take their first value. */
export const wallParser = (format: string, withOffset: boolean): ((text: string) => { wall: Wall; offsetMs: number | undefined } | undefined) => {
  const fields: Array<string> = []
  const body = format.replace(/YYYY|MM|DD|HH|mm|[.*+?^${}()|[\]\\]/g, (t) => {
    if (t.length === 1) return `\\${t}`
    fields.push(t)
    return t === "YYYY" ? "(\\d{4})" : "(\\d{2})"
  })
  const re = new RegExp(`^${body}${withOffset ? "([+-]\\d{2}:\\d{2})?" : ""}$`)
  return (text) => {
    const m = re.exec(text)
    if (m === null) return undefined
    const v: Record<string, number> = { YYYY: 1970, MM: 1, DD: 1, HH: 0, mm: 0 }
    fields.forEach((f, i) => (v[f] = Number(m[i + 1])))
    if (v.MM! < 1 || v.MM! > 12 || v.DD! < 1 || v.DD! > 31 || v.HH! > 23 || v.mm! > 59) return undefined
    const suffix = withOffset ? m[fields.length + 1] : undefined
    const offsetMs =
      suffix === undefined ? undefined : (suffix[0] === "-" ? -1 : 1) * (Number(suffix.slice(1, 3)) * 60 + Number(suffix.slice(4, 6))) * 60_000
    return { wall: { year: v.YYYY!, month: v.MM!, day: v.DD!, hour: v.HH!, minute: v.mm! }, offsetMs }
  }
}

export const formatOffset = (ms: number): string => {
  const m = Math.abs(ms) / 60_000
  return `${ms < 0 ? "-" : "+"}${pad(Math.floor(m / 60), 2)}:${pad(m % 60, 2)}`
}
