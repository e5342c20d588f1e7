import { Data, Either } from "effect"
import { currentMonth, fromMonthIndex, isPartitionKey, monthIndex, type PartitionKey } from "./PartitionKey.js"

/** Monthly partitions from `start` to `end` (inclusive; default: the current UTC month). */
export interface MonthlyPartitions {
  readonly _tag: "MonthlyPartitions"
  readonly start: PartitionKey
  readonly end: PartitionKey | undefined
}

export const monthly = (options: { readonly start: string; readonly end?: string }): MonthlyPartitions => {
  if (!isPartitionKey(options.start)) throw new Error(`monthly partitions: start '${options.start}' is not YYYY-MM`)
  if (options.end !== undefined && !isPartitionKey(options.end)) {
    throw new Error(`monthly partitions: end '${options.end}' is not YYYY-MM`)
  }
  return { _tag: "MonthlyPartitions", start: options.start, end: options.end as PartitionKey | undefined }
}

export const lastPartition = (def: MonthlyPartitions, now?: Date): PartitionKey => def.end ?? currentMonth(now)

export const allPartitions = (def: MonthlyPartitions, now?: Date): ReadonlyArray<PartitionKey> => {
  const out: Array<PartitionKey> = []
  for (let i = monthIndex(def.start), last = monthIndex(lastPartition(def, now)); i <= last; i++) {
    out.push(fromMonthIndex(i))
  }
  return out
}

export const contains = (def: MonthlyPartitions, p: PartitionKey, now?: Date): boolean =>
  monthIndex(p) >= monthIndex(def.start) && monthIndex(p) <= monthIndex(lastPartition(def, now))

export const sameDefinition = (a: MonthlyPartitions, b: MonthlyPartitions): boolean =>
  a.start === b.start && a.end === b.end

export class PartitionError extends Data.TaggedError("PartitionError")<{ readonly message: string }> {}

/** Checks a user-given partition key against a definition: malformed or out of range is an error that says why. */
export const parsePartition = (
  def: MonthlyPartitions,
  input: string,
  now?: Date
): Either.Either<PartitionKey, PartitionError> => {
  if (!isPartitionKey(input)) {
    return Either.left(new PartitionError({ message: `'${input}' is not a partition key: write a month as YYYY-MM, e.g. 2023-08` }))
  }
  if (!contains(def, input, now)) {
    return Either.left(
      new PartitionError({
        message: `partition ${input} is out of range: partitions run from ${def.start} to ${lastPartition(def, now)}`
      })
    )
  }
  return Either.right(input)
}
