import { Data, type Either } from "effect"
import type { PartitionKey } from "./PartitionKey.js"

/** What a definition's keys depend on besides itself: the clock (closed windows) and the stored dynamic keys. */
export interface PartitionContext {
  readonly now: Date
  /** the keys of a dynamic partitions definition, as the event store holds them (in the order they were added) */
  readonly dynamicKeys: (name: string) => ReadonlyArray<string>
  readonly hasDynamicKey: (name: string, key: string) => boolean
}

export const contextAt = (now: Date = new Date(), dynamic: ReadonlyMap<string, ReadonlyArray<string>> = new Map()): PartitionContext => {
  const sets = new Map<string, ReadonlySet<string>>()
  return {
    now,
    dynamicKeys: (name) => dynamic.get(name) ?? [],
    hasDynamicKey: (name, key) => {
      let set = sets.get(name)
      if (set === undefined) sets.set(name, (set = new Set(dynamic.get(name) ?? [])))
      return set.has(key)
    }
  }
}

export class PartitionError extends Data.TaggedError("PartitionError")<{ readonly message: string }> {}

/** A time window as UTC ISO instants, ready for SQL: start inclusive, end exclusive. */
export interface Window {
  readonly start: string
  readonly end: string
}

/**
 * The partitions of an asset: which keys exist, how a user writes one, their order, where their files go. Every
 * kind (time windows, static, dynamic, multi) answers the same questions, so the resolver and planner never ask
 * which kind they hold.
 */
export interface PartitionsDefinition {
  readonly _tag: "TimeWindow" | "Static" | "Dynamic" | "Multi"
  /** equal ids: the same key space (an identity mapping between them is exact) */
  readonly id: string
  /** e.g. "daily from 2023-01-01 (Europe/Paris)" */
  readonly describe: string
  /** every key that exists now, in order */
  readonly keys: (ctx: PartitionContext) => ReadonlyArray<PartitionKey>
  /** whether `key` is one of `keys(ctx)`, without listing them */
  readonly contains: (key: string, ctx: PartitionContext) => boolean
  /** a key as a user wrote it: malformed or out of range is an error saying why */
  readonly parse: (text: string, ctx: PartitionContext) => Either.Either<PartitionKey, PartitionError>
  /** orders two well-formed keys of this definition */
  readonly compare: (a: string, b: string) => number
  /** the Hive-style folders of a key in the lake, ending with `/` (e.g. `year=2023/month=08/`) */
  readonly folder: (key: string) => string
  /** the time window a key covers (time partitions, or a multi-partition's time dimension) */
  readonly window: (key: string) => Window | undefined
  /** a multi-partition key's value per dimension */
  readonly dimensions: (key: string) => Readonly<Record<string, string>> | undefined
  /** where the keys run, for messages: "run from 2023-01 to 2023-12" */
  readonly rangeText: (ctx: PartitionContext) => string
}

/** Characters a key may not hold: path separators and the multi-partition separator are structural. */
export const badKeyCharacter = /[/\\|,\u0000-\u001f]/
