import type { TimeWindowPartitions } from "../TimeWindowPartitions.js"
import { keysOf, type MappingSides, type PartitionMapping, type UpstreamPartitions } from "./PartitionMapping.js"

export interface TimeWindowMappingOptions {
  readonly startOffset: number
  readonly endOffset: number
  /**
   * Whose windows the offsets count (default "downstream"): `{ startOffset: -1, endOffset: -1 }` on daily → monthly
   * reads the previous month's days in the downstream's unit, or the day before the month in the upstream's.
   */
  readonly offsetsIn?: "downstream" | "upstream"
}

const range = (def: TimeWindowPartitions, from: number, to: number) => {
  const keys: Array<string> = []
  for (let i = from; i <= to; i++) keys.push(def.keyAt(i))
  return keys
}

/** The indexes of `def` whose windows overlap [start, end). */
const overlapping = (def: TimeWindowPartitions, start: number, end: number): readonly [number, number] => [def.indexAt(start), def.indexAt(end - 1)]

/**
 * Partition P reads the upstream windows overlapping P's window, shifted by the offsets: between equal
 * definitions month M reads M+startOffset .. M+endOffset; daily → monthly is a fan-in (a month reads its days),
 * monthly → daily a fan-out (a day reads its month). Landing prefixes are arrival months, so a lateness window of
 * one month is `timeWindow({ startOffset: 0, endOffset: 1 })`; a running total reading its previous partition is
 * a self-dependency with `timeWindow({ startOffset: -1, endOffset: -1 })`.
 */
export const timeWindow = (options: TimeWindowMappingOptions): PartitionMapping => {
  const { startOffset: s, endOffset: e } = options
  const inUpstream = options.offsetsIn === "upstream"
  if (!Number.isInteger(s) || !Number.isInteger(e) || e < s) {
    throw new Error(`timeWindow: offsets must be integers with startOffset <= endOffset, got ${s}..${e}`)
  }
  const sidesOf = (sides: MappingSides) => ({ up: sides.upstream as TimeWindowPartitions, down: sides.downstream as TimeWindowPartitions })
  const upstream = (p: string | undefined, sides: MappingSides): UpstreamPartitions => {
    if (p === undefined) return { _tag: "All" }
    const { up, down } = sidesOf(sides)
    const d = down.indexOf(p)
    if (d === undefined) return keysOf([])
    if (inUpstream) {
      const [i0, i1] = overlapping(up, down.boundsAt(d).start, down.boundsAt(d).end)
      return keysOf(range(up, i0 + s, i1 + e))
    }
    const [i0, i1] = overlapping(up, down.boundsAt(d + s).start, down.boundsAt(d + e).end)
    return keysOf(range(up, i0, i1))
  }
  const downstream = (p: string | undefined, sides: MappingSides): UpstreamPartitions => {
    if (p === undefined) return { _tag: "All" }
    const { up, down } = sidesOf(sides)
    const u = up.indexOf(p)
    if (u === undefined) return keysOf([])
    if (inUpstream) {
      const [a, b] = overlapping(down, up.boundsAt(u - e).start, up.boundsAt(u - s).end)
      return keysOf(range(down, a, b))
    }
    const [a, b] = overlapping(down, up.boundsAt(u).start, up.boundsAt(u).end)
    return keysOf(range(down, a - e, b - s))
  }
  const creates = (p: string | undefined, sides: MappingSides): UpstreamPartitions => {
    if (p === undefined) return { _tag: "All" }
    const { up, down } = sidesOf(sides)
    const u = up.indexOf(p)
    if (u === undefined) return keysOf([])
    if (inUpstream) {
      const [a, b] = overlapping(down, up.boundsAt(u - s).start, up.boundsAt(u - s).end)
      return keysOf(range(down, a, b))
    }
    const [a, b] = overlapping(down, up.boundsAt(u).start, up.boundsAt(u).end)
    return keysOf(range(down, a - s, b - s))
  }
  return {
    _tag: "TimeWindow",
    describe: `time window (P reads P${fmt(s)} .. P${fmt(e)}${s === 0 && e === 0 ? "" : ` in the ${inUpstream ? "upstream" : "downstream"}'s unit`})`,
    check: ({ upstream: up, downstream: down }) =>
      up?._tag === "TimeWindow" && down?._tag === "TimeWindow" ? undefined : "a time window needs both assets partitioned by time windows",
    upstream,
    downstream,
    creates,
    readsOnlyEarlier: inUpstream ? false : e < 0
  }
}

const fmt = (n: number) => (n === 0 ? "" : n > 0 ? `+${n}` : `${n}`)
