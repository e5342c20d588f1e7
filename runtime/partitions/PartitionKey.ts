import { Schema } from "effect"

/** A monthly partition key `YYYY-MM`. */
export const PartitionKey = Schema.String.pipe(
  Schema.pattern(/^\d{4}-(0[1-9]|1[0-2])$/, {
    message: () => "a partition key is a month written YYYY-MM, e.g. 2023-08"
  }),
  Schema.brand("PartitionKey")
)
export type PartitionKey = typeof PartitionKey.Type

export const isPartitionKey = Schema.is(PartitionKey)

/** Months since year 0: makes month arithmetic integer arithmetic. */
export const monthIndex = (p: string): number => Number(p.slice(0, 4)) * 12 + Number(p.slice(5, 7)) - 1

export const fromMonthIndex = (i: number): PartitionKey =>
  `${String(Math.floor(i / 12)).padStart(4, "0")}-${String((i % 12) + 1).padStart(2, "0")}` as PartitionKey

export const addMonths = (p: PartitionKey, n: number): PartitionKey => fromMonthIndex(monthIndex(p) + n)

/** First instant of the month and of the next one, UTC, as ISO strings. */
export const monthBounds = (p: PartitionKey): { readonly start: string; readonly end: string } => ({
  start: `${p}-01T00:00:00Z`,
  end: `${addMonths(p, 1)}-01T00:00:00Z`
})

export const currentMonth = (now: Date = new Date()): PartitionKey =>
  fromMonthIndex(now.getUTCFullYear() * 12 + now.getUTCMonth())

/** Month keys as compact ranges: 2023-01..2023-04, 2023-07. */
export const monthRanges = (keys: ReadonlyArray<string>): string => {
  const sorted = [...keys].sort()
  const out: Array<string> = []
  for (let i = 0; i < sorted.length; ) {
    let j = i
    while (j + 1 < sorted.length && monthIndex(sorted[j + 1]!) === monthIndex(sorted[j]!) + 1) j++
    out.push(i === j ? sorted[i]! : `${sorted[i]}..${sorted[j]}`)
    i = j + 1
  }
  return out.join(", ")
}
