import type { MultiPartitions } from "./MultiPartitions.js"
import type { PartitionContext, PartitionsDefinition } from "./PartitionsDefinition.js"
import type { TimeWindowPartitions } from "./TimeWindowPartitions.js"
import { utcOf } from "./time/zone.js"

/** `--from`/`--to` as given: either bound may be absent (open). */
export interface PartitionRange {
  readonly from: string | undefined
  readonly to: string | undefined
}

const timeText = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:-(\d{2}):(\d{2}))?)?)?$/

/** The instants a date, month or year covers in a zone: 2023-08 is [Aug 1, Sep 1). */
const spanOf = (text: string, zone: string): { start: number; end: number } | undefined => {
  const m = timeText.exec(text)
  if (m === null) return undefined
  const [y, mo, d, h, mi] = [Number(m[1]), m[2] ? Number(m[2]) : undefined, m[3] ? Number(m[3]) : undefined, m[4] ? Number(m[4]) : undefined, m[5] ? Number(m[5]) : 0]
  if (mo !== undefined && (mo < 1 || mo > 12)) return undefined
  const wall = { year: y, month: mo ?? 1, day: d ?? 1, hour: h ?? 0, minute: mi }
  // 2023-02-30 or 24:00 is no date: refused, not rolled over into March
  const check = new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute))
  if (check.getUTCDate() !== wall.day || check.getUTCHours() !== wall.hour || check.getUTCMinutes() !== wall.minute) return undefined
  const next =
    h !== undefined ? { ...wall, hour: wall.hour + 1 } : d !== undefined ? { ...wall, day: wall.day + 1 } : mo !== undefined ? { ...wall, month: wall.month + 1 } : { ...wall, year: y + 1 }
  const norm = (w: typeof wall) => {
    const t = new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute))
    return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate(), hour: t.getUTCHours(), minute: t.getUTCMinutes() }
  }
  return { start: utcOf(zone, norm(wall)), end: utcOf(zone, norm(next)) }
}

/**
 * Which keys of a definition a range selects, or a message saying why the bounds do not apply to it. Bounds
 * written as the definition's keys compare in its order; for time windows a date, month or year selects the
 * windows overlapping it (so `--from 2023-02 --to 2023-03` takes the days of those months of a daily asset); for
 * a multi-partition a bound of one dimension selects on that dimension.
 */
export const rangeFilter = (
  def: PartitionsDefinition,
  range: PartitionRange,
  ctx: PartitionContext
): ((key: string) => boolean) | string => {
  const bounds = [range.from, range.to].filter((b): b is string => b !== undefined)
  const isKey = (b: string) => (def._tag === "TimeWindow" ? (def as TimeWindowPartitions).indexOf(b) !== undefined : def._tag === "Multi" ? (def as MultiPartitions).split(b) !== undefined : def.contains(b, ctx))
  if (bounds.every(isKey)) {
    return (k) => (range.from === undefined || def.compare(k, range.from) >= 0) && (range.to === undefined || def.compare(k, range.to) <= 0)
  }
  if (def._tag === "TimeWindow") {
    const tw = def as TimeWindowPartitions
    const from = range.from === undefined ? undefined : spanOf(range.from, tw.timezone)
    const to = range.to === undefined ? undefined : spanOf(range.to, tw.timezone)
    if ((range.from !== undefined && from === undefined) || (range.to !== undefined && to === undefined)) {
      return `${def.describe} takes keys written ${tw.format} (or a date, month or year), not ${bounds.join(" / ")}`
    }
    return (k) => {
      const i = tw.indexOf(k)
      if (i === undefined) return false
      const b = tw.boundsAt(i)
      return (from === undefined || b.end > from.start) && (to === undefined || b.start < to.end)
    }
  }
  if (def._tag === "Multi") {
    const multi = def as MultiPartitions
    const problems: Array<string> = []
    for (const [i, d] of multi.dims.entries()) {
      const inner = rangeFilter(d.def, range, ctx)
      if (typeof inner === "string") {
        problems.push(`${d.name}: ${inner}`)
        continue
      }
      return (k) => {
        const v = multi.split(k)?.[i]
        return v !== undefined && inner(v)
      }
    }
    return `${def.describe}: the range fits no dimension (${problems.join("; ")})`
  }
  return `${bounds.filter((b) => !isKey(b)).join(", ")} is not a partition: partitions ${def.rangeText(ctx)}`
}
