import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { dynamicPartitions } from "../runtime/partitions/DynamicPartitions.js"
import { keyRanges } from "../runtime/partitions/keyRanges.js"
import { allPartitions as allMapping } from "../runtime/partitions/mappings/allPartitions.js"
import { defaultMapping } from "../runtime/partitions/mappings/defaultMapping.js"
import { dimension } from "../runtime/partitions/mappings/dimension.js"
import { identity } from "../runtime/partitions/mappings/identity.js"
import type { MappingSides, PartitionMapping } from "../runtime/partitions/mappings/PartitionMapping.js"
import { staticMapping } from "../runtime/partitions/mappings/staticMapping.js"
import { timeWindow } from "../runtime/partitions/mappings/timeWindow.js"
import { wholeUpstream } from "../runtime/partitions/mappings/wholeUpstream.js"
import { multiPartitions } from "../runtime/partitions/MultiPartitions.js"
import { addMonths, type PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { contextAt, type PartitionsDefinition } from "../runtime/partitions/PartitionsDefinition.js"
import { rangeFilter } from "../runtime/partitions/rangeFilter.js"
import { staticPartitions } from "../runtime/partitions/StaticPartitions.js"
import { daily, hourly, monthly, weekly, yearly } from "../runtime/partitions/TimeWindowPartitions.js"

const p = (s: string) => s as PartitionKey
const at = (iso: string) => contextAt(new Date(iso))
const message = (e: Either.Either<unknown, { message: string }>) => (Either.isLeft(e) ? e.left.message : "accepted")

describe("time window partitions", () => {
  it("lists months across a year boundary; a window exists once it has closed", () => {
    const def = monthly({ start: "2022-11", end: "2023-02" })
    expect(def.keys(at("2024-01-01T00:00:00Z"))).toEqual(["2022-11", "2022-12", "2023-01", "2023-02"])
    expect(addMonths(p("2023-12"), 1)).toBe("2024-01")
    const open = monthly({ start: "2023-01" })
    // on 2023-03-15 March is still open: it is not a partition yet, unless the definition includes the open window
    expect(open.keys(at("2023-03-15T00:00:00Z"))).toEqual(["2023-01", "2023-02"])
    expect(monthly({ start: "2023-01", includeOpen: true }).keys(at("2023-03-15T00:00:00Z"))).toEqual(["2023-01", "2023-02", "2023-03"])
    // at the month's edge: the first instant of April closes March
    expect(open.keys(at("2023-03-31T23:59:59.999Z")).at(-1)).toBe("2023-02")
    expect(open.keys(at("2023-04-01T00:00:00Z")).at(-1)).toBe("2023-03")
  })

  it("daily, hourly, weekly and yearly keys, windows and folders", () => {
    const days = daily({ start: "2023-01-30" })
    expect(days.keys(at("2023-02-02T10:00:00Z"))).toEqual(["2023-01-30", "2023-01-31", "2023-02-01"])
    expect(days.window("2023-02-01")).toEqual({ start: "2023-02-01T00:00:00.000Z", end: "2023-02-02T00:00:00.000Z" })
    expect(days.folder("2023-02-01")).toBe("year=2023/month=02/day=01/")
    const hours = hourly({ start: "2023-01-01-00:00" })
    expect(hours.keys(at("2023-01-01T03:30:00Z"))).toEqual(["2023-01-01-00:00", "2023-01-01-01:00", "2023-01-01-02:00"])
    const weeks = weekly({ start: "2023-01-01" })
    // weeks start on Monday: the week holding Sunday 2023-01-01 starts on 2022-12-26
    expect(weeks.keys(at("2023-01-17T00:00:00Z"))).toEqual(["2022-12-26", "2023-01-02", "2023-01-09"])
    expect(message(weeks.parse("2023-01-03", at("2023-02-01T00:00:00Z")))).toContain("a week's first day")
    expect(yearly({ start: "2020" }).keys(at("2023-06-01T00:00:00Z"))).toEqual(["2020", "2021", "2022"])
    expect(monthly({ start: "2023-01", format: "YYYYMM" }).keys(at("2023-03-01T00:00:00Z"))).toEqual(["202301", "202302"])
  })

  it("follows a time zone's local days across DST: 23- and 25-hour days, closing at local midnight", () => {
    const paris = daily({ start: "2023-03-25", timezone: "Europe/Paris" })
    // 2023-03-26 has 23 hours in Paris (clocks go forward at 02:00 local)
    expect(paris.window("2023-03-26")).toEqual({ start: "2023-03-25T23:00:00.000Z", end: "2023-03-26T22:00:00.000Z" })
    expect(paris.window("2023-03-25")).toEqual({ start: "2023-03-24T23:00:00.000Z", end: "2023-03-25T23:00:00.000Z" })
    // 2023-10-29 has 25 hours
    const autumn = daily({ start: "2023-10-28", timezone: "Europe/Paris" })
    expect(autumn.window("2023-10-29")).toEqual({ start: "2023-10-28T22:00:00.000Z", end: "2023-10-29T23:00:00.000Z" })
    // the local day 2023-03-26 closes at 22:00 UTC, not at UTC midnight
    expect(paris.keys(at("2023-03-26T21:59:00Z")).at(-1)).toBe("2023-03-25")
    expect(paris.keys(at("2023-03-26T22:00:00Z")).at(-1)).toBe("2023-03-26")
  })

  it("hourly keys in a DST zone: the skipped hour does not exist, the repeated one carries its offset", () => {
    const ny = hourly({ start: "2023-11-05-00:00", timezone: "America/New_York" })
    const keys = ny.keys(at("2023-11-05T09:00:00Z"))
    expect(keys).toEqual(["2023-11-05-00:00", "2023-11-05-01:00-04:00", "2023-11-05-01:00-05:00", "2023-11-05-02:00", "2023-11-05-03:00"])
    expect(new Set(keys).size).toBe(keys.length)
    expect(message(ny.parse("2023-11-05-01:00", at("2023-11-06T00:00:00Z")))).toContain("repeated hour takes its offset")
    const spring = hourly({ start: "2023-03-12-00:00", timezone: "America/New_York" })
    expect(spring.keys(at("2023-03-12T08:00:00Z"))).toEqual(["2023-03-12-00:00", "2023-03-12-01:00", "2023-03-12-03:00"])
    expect(spring.indexOf("2023-03-12-02:00")).toBeUndefined()
  })

  it("rejects malformed and out-of-range keys with a message that says what to do", () => {
    const def = monthly({ start: "2022-11", end: "2023-02" })
    const ctx = at("2024-01-01T00:00:00Z")
    expect(message(def.parse("2023-13", ctx))).toContain("write it as YYYY-MM")
    expect(message(def.parse("march", ctx))).toContain("is not a monthly partition key")
    expect(message(def.parse("2023-03", ctx))).toBe("partition 2023-03 is out of range: partitions run from 2022-11 to 2023-02")
    expect(message(daily({ start: "2023-01-01" }).parse("2023-02-30", ctx))).toContain("is not a daily partition key")
    expect(Either.getOrThrow(def.parse("2023-01", ctx))).toBe("2023-01")
    expect(() => monthly({ start: "2023-00" })).toThrow(/neither a key/)
    expect(() => daily({ start: "2023-01-01", timezone: "Mars/Olympus" })).toThrow(/not a time zone/)
  })
})

describe("static, dynamic and multi partitions", () => {
  it("static keys in their order; dynamic keys from the store; multi keys read dimension by dimension", () => {
    const regions = staticPartitions(["americas", "europe"])
    expect(regions.keys(at("2024-01-01T00:00:00Z"))).toEqual(["americas", "europe"])
    expect(message(regions.parse("asia", at("2024-01-01T00:00:00Z")))).toBe("'asia' is not a partition: the partitions are americas, europe")
    expect(() => staticPartitions(["a", "a"])).toThrow(/twice/)
    expect(() => staticPartitions(["a|b"])).toThrow(/not a usable key/)
    const partners = dynamicPartitions("partners")
    const ctx = contextAt(new Date("2024-01-01T00:00:00Z"), new Map([["partners", ["acme", "globex"]]]))
    expect(partners.keys(ctx)).toEqual(["acme", "globex"])
    expect(message(partners.parse("initech", ctx))).toContain("assets partitions add partners initech")
    const multi = multiPartitions({ month: monthly({ start: "2023-11" }), region: regions })
    expect(multi.keys(ctx)).toEqual(["2023-11|americas", "2023-11|europe", "2023-12|americas", "2023-12|europe"])
    expect(multi.dimensions("2023-12|europe")).toEqual({ month: "2023-12", region: "europe" })
    expect(multi.folder("2023-12|europe")).toBe("year=2023/month=12/region=europe/")
    expect(multi.window("2023-12|europe")).toEqual({ start: "2023-12-01T00:00:00.000Z", end: "2024-01-01T00:00:00.000Z" })
    expect(message(multi.parse("2023-12|asia", ctx))).toContain("dimension region")
    expect(message(multi.parse("2023-12", ctx))).toContain("joined by |")
  })

  it("ranges apply by each definition: a month bound takes a daily asset's days; one dimension filters a multi", () => {
    const ctx = at("2024-01-01T00:00:00Z")
    const days = daily({ start: "2023-01-01" })
    const f = rangeFilter(days, { from: "2023-02", to: "2023-02" }, ctx) as (k: string) => boolean
    expect(days.keys(ctx).filter(f)).toHaveLength(28)
    const multi = multiPartitions({ month: monthly({ start: "2023-01" }), region: staticPartitions(["americas", "europe"]) })
    const g = rangeFilter(multi, { from: "2023-03", to: "2023-04" }, ctx) as (k: string) => boolean
    expect(multi.keys(ctx).filter(g)).toEqual(["2023-03|americas", "2023-03|europe", "2023-04|americas", "2023-04|europe"])
    expect(rangeFilter(staticPartitions(["a"]), { from: "2023-01", to: undefined }, ctx)).toContain("is not a partition")
    // a date that does not exist is refused, not rolled over into the next month
    expect(rangeFilter(days, { from: "2023-02-30", to: undefined }, ctx)).toContain("not 2023-02-30")
  })

  it("writes key lists as ranges in their definition's order", () => {
    expect(keyRanges(["2023-03", "2023-01", "2023-02", "2023-07"])).toBe("2023-01..2023-03, 2023-07")
    expect(keyRanges(["2023-02-28", "2023-03-01", "2023-03-03"])).toBe("2023-02-28..2023-03-01, 2023-03-03")
    expect(keyRanges(["europe", "americas"])).toBe("americas, europe")
  })
})

/** A small deterministic RNG, so a failing property names its seed. */
const rng = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)

/**
 * The property every mapping must hold: d reads u exactly when u's downstream set holds d, and what creates d
 * is among what d reads (so availability and staleness agree).
 */
const consistent = (mapping: PartitionMapping, sides: MappingSides, ctx = at("2026-01-01T00:00:00Z")) => {
  const ups = sides.upstream!.keys(ctx)
  const downs = sides.downstream!.keys(ctx)
  const keysOf = (r: ReturnType<PartitionMapping["upstream"]>) => (r._tag === "Keys" ? r.keys : [])
  const random = rng(ups.length * 31 + downs.length)
  for (let n = 0; n < 200; n++) {
    const d = downs[Math.floor(random() * downs.length)]!
    const u = ups[Math.floor(random() * ups.length)]!
    const reads = keysOf(mapping.upstream(d, sides, ctx)).includes(u)
    const feeds = keysOf(mapping.downstream(u, sides, ctx)).includes(d)
    expect({ d, u, reads }).toEqual({ d, u, reads: feeds })
    const creates = keysOf((mapping.creates ?? mapping.downstream)(u, sides, ctx)).includes(d)
    if (creates) expect({ d, u, creates, reads }).toEqual({ d, u, creates, reads: true })
  }
  // and for every d, its upstream keys each list d downstream
  for (const d of downs.slice(0, 40)) {
    for (const u of keysOf(mapping.upstream(d, sides, ctx))) {
      if (sides.upstream!.contains(u, ctx)) expect(keysOf(mapping.downstream(u, sides, ctx))).toContain(d)
    }
  }
}

describe("partition mappings", () => {
  const ctx = at("2026-01-01T00:00:00Z")
  const months = monthly({ start: "2023-01", end: "2024-12" })
  const days = daily({ start: "2023-01-01", end: "2024-12-31" })
  const regions = staticPartitions(["americas", "europe"])
  const countries = staticPartitions(["us", "ca", "de", "fr"])
  const multi = multiPartitions({ month: months, region: regions })

  it("identity maps a key to itself, and only between the same kind of keys", () => {
    expect(identity.upstream(p("2023-04"), { upstream: months, downstream: months }, ctx)).toEqual({ _tag: "Keys", keys: ["2023-04"] })
    expect(identity.check({ upstream: months, downstream: months })).toBeUndefined()
    expect(identity.check({ upstream: undefined, downstream: months })).toBeDefined()
    expect(identity.check({ upstream: days, downstream: months })).toContain("use timeWindow()")
    consistent(identity, { upstream: months, downstream: months })
  })

  it("all-partitions and whole-upstream", () => {
    expect(allMapping.upstream(undefined, { upstream: months, downstream: undefined }, ctx)).toEqual({ _tag: "All" })
    expect(allMapping.check({ upstream: months, downstream: undefined })).toBeUndefined()
    expect(allMapping.check({ upstream: months, downstream: months })).toBeDefined()
    expect(wholeUpstream.upstream(p("2023-04"), { upstream: undefined, downstream: months }, ctx)).toEqual({ _tag: "Whole" })
    expect(wholeUpstream.check({ upstream: months, downstream: months })).toBeDefined()
  })

  it("a lateness window reads M..M+1; month M+1's data makes M stale but only M's own data creates M", () => {
    const w = timeWindow({ startOffset: 0, endOffset: 1 })
    const sides = { upstream: months, downstream: months }
    expect(w.upstream(p("2023-12"), sides, ctx)).toEqual({ _tag: "Keys", keys: ["2023-12", "2024-01"] })
    expect(w.downstream(p("2024-01"), sides, ctx)).toEqual({ _tag: "Keys", keys: ["2023-12", "2024-01"] })
    expect(w.creates!(p("2024-01"), sides, ctx)).toEqual({ _tag: "Keys", keys: ["2024-01"] })
    expect(() => timeWindow({ startOffset: 1, endOffset: 0 })).toThrow(/startOffset <= endOffset/)
    consistent(w, sides)
  })

  it("daily into monthly is a fan-in, monthly into daily a fan-out, and the previous month in either unit", () => {
    const overlap = timeWindow({ startOffset: 0, endOffset: 0 })
    const fanIn = { upstream: days, downstream: months }
    const feb = overlap.upstream(p("2024-02"), fanIn, ctx)
    expect(feb._tag === "Keys" && feb.keys.length).toBe(29)
    expect(overlap.downstream(p("2024-02-10"), fanIn, ctx)).toEqual({ _tag: "Keys", keys: ["2024-02"] })
    const fanOut = { upstream: months, downstream: days }
    expect(overlap.upstream(p("2024-02-10"), fanOut, ctx)).toEqual({ _tag: "Keys", keys: ["2024-02"] })
    const previousMonth = timeWindow({ startOffset: -1, endOffset: -1 })
    const prev = previousMonth.upstream(p("2024-03"), fanIn, ctx)
    expect(prev._tag === "Keys" && [prev.keys[0], prev.keys.at(-1)]).toEqual(["2024-02-01", "2024-02-29"])
    const dayBefore = timeWindow({ startOffset: -1, endOffset: -1, offsetsIn: "upstream" })
    // in the upstream's unit, March's days shifted back one day: 2024-02-29 .. 2024-03-30
    expect(dayBefore.upstream(p("2024-03"), fanIn, ctx)).toEqual({ _tag: "Keys", keys: rangeOfDays("2024-02-29", "2024-03-30") })
    for (const m of [overlap, previousMonth, dayBefore, timeWindow({ startOffset: -2, endOffset: 1 })]) {
      consistent(m, fanIn)
      consistent(m, fanOut)
      consistent(m, { upstream: months, downstream: months })
    }
    expect(defaultMapping(days, months)._tag).toBe("TimeWindow")
  })

  it("static to static by an explicit map", () => {
    const m = staticMapping({ us: "americas", ca: "americas", de: "europe", fr: "europe" })
    const sides = { upstream: countries, downstream: regions }
    expect(m.check(sides)).toBeUndefined()
    expect(m.upstream(p("americas"), sides, ctx)).toEqual({ _tag: "Keys", keys: ["us", "ca"] })
    expect(staticMapping({ uk: "europe" }).check(sides)).toContain("uk")
    consistent(m, sides)
  })

  it("one dimension of a multi-partition to a single-dimension asset, both ways", () => {
    const m = dimension("month")
    const down = { upstream: multi, downstream: months }
    expect(m.check(down)).toBeUndefined()
    expect(m.upstream(p("2023-05"), down, ctx)).toEqual({ _tag: "Keys", keys: ["2023-05|americas", "2023-05|europe"] })
    const up = { upstream: months, downstream: multi }
    expect(m.upstream(p("2023-05|europe"), up, ctx)).toEqual({ _tag: "Keys", keys: ["2023-05"] })
    expect(dimension("region").check({ upstream: multi, downstream: months })).toContain("different keys")
    expect(defaultMapping(multi, months)._tag).toBe("Dimension")
    consistent(m, down)
    consistent(m, up)
  })
})

const rangeOfDays = (from: string, to: string): Array<string> => {
  const out: Array<string> = []
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10))
  return out
}

export type { PartitionsDefinition }
