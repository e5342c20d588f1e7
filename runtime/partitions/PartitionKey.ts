import { Schema } from "effect"

/**
 * A partition key: a month `2023-08`, a day `2023-08-14`, a static key `europe`, a multi-partition key
 * `2023-08|europe`. Which keys exist is the asset's partitions definition's to say.
 */
export const PartitionKey = Schema.String.pipe(
  Schema.pattern(/^[^/\\\u0000-\u001f]{1,160}$/, {
    message: () => "a partition key is 1 to 160 characters without slashes or control characters, e.g. 2023-08"
  }),
  Schema.brand("PartitionKey")
)
export type PartitionKey = typeof PartitionKey.Type

/** Whether text is a month written YYYY-MM (the Sakila project's and the default monthly format). */
export const isMonthKey = (p: string): boolean => /^\d{4}-(0[1-9]|1[0-2])$/.test(p)

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
