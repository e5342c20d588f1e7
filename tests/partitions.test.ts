import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { allPartitions, monthly, parsePartition } from "../runtime/partitions/MonthlyPartitions.js"
import { allPartitions as allMapping } from "../runtime/partitions/mappings/allPartitions.js"
import { identity } from "../runtime/partitions/mappings/identity.js"
import { timeWindow } from "../runtime/partitions/mappings/timeWindow.js"
import { wholeUpstream } from "../runtime/partitions/mappings/wholeUpstream.js"
import { addMonths, type PartitionKey } from "../runtime/partitions/PartitionKey.js"

const p = (s: string) => s as PartitionKey

describe("monthly partitions", () => {
  const def = monthly({ start: "2022-11", end: "2023-02" })

  it("lists months across a year boundary", () => {
    expect(allPartitions(def)).toEqual(["2022-11", "2022-12", "2023-01", "2023-02"])
    expect(addMonths(p("2023-12"), 1)).toBe("2024-01")
    expect(addMonths(p("2024-01"), -13)).toBe("2022-12")
  })

  it("defaults the end to the current month", () => {
    const open = monthly({ start: "2023-01" })
    expect(allPartitions(open, new Date("2023-03-15T00:00:00Z"))).toEqual(["2023-01", "2023-02", "2023-03"])
  })

  it("rejects malformed and out-of-range keys with a message that says what to do", () => {
    const bad = (s: string) => Either.getLeft(parsePartition(def, s)).pipe((o) => (o._tag === "Some" ? o.value.message : "accepted"))
    expect(bad("2023-13")).toContain("write a month as YYYY-MM")
    expect(bad("2023-1")).toContain("write a month as YYYY-MM")
    expect(bad("march")).toContain("is not a partition key")
    expect(bad("2023-03")).toBe("partition 2023-03 is out of range: partitions run from 2022-11 to 2023-02")
    expect(bad("2022-10")).toContain("out of range")
    expect(Either.getOrThrow(parsePartition(def, "2023-01"))).toBe("2023-01")
    expect(() => monthly({ start: "2023-00" })).toThrow(/not YYYY-MM/)
  })
})

describe("partition mappings", () => {
  it("identity maps a month to itself", () => {
    expect(identity.upstream(p("2023-04"))).toEqual({ _tag: "Keys", keys: ["2023-04"] })
    expect(identity.check(true, true)).toBeUndefined()
    expect(identity.check(false, true)).toBeDefined()
  })

  it("all-partitions reads every month into an unpartitioned downstream", () => {
    expect(allMapping.upstream(undefined)).toEqual({ _tag: "All" })
    expect(allMapping.check(true, false)).toBeUndefined()
    expect(allMapping.check(true, true)).toBeDefined()
  })

  it("an unpartitioned upstream feeds every month", () => {
    expect(wholeUpstream.upstream(p("2023-04"))).toEqual({ _tag: "Whole" })
    expect(wholeUpstream.downstream(undefined)).toEqual({ _tag: "All" })
    expect(wholeUpstream.check(true, true)).toBeDefined()
  })

  it("a lateness window reads M..M+1; month M+1's data makes M stale but only M's own data creates M", () => {
    const w = timeWindow({ startOffset: 0, endOffset: 1 })
    expect(w.upstream(p("2023-12"))).toEqual({ _tag: "Keys", keys: ["2023-12", "2024-01"] })
    expect(w.downstream(p("2024-01"))).toEqual({ _tag: "Keys", keys: ["2023-12", "2024-01"] })
    expect(w.creates!(p("2024-01"))).toEqual({ _tag: "Keys", keys: ["2024-01"] })
    expect(() => timeWindow({ startOffset: 1, endOffset: 0 })).toThrow(/startOffset <= endOffset/)
  })
})
