import { Context, Effect, Option, Schema } from "effect"
import { EventStoreError } from "../../runtime/events/EventStore.js"
import { storeProblem } from "./storeProblems.js"

/** Counts arrive as numbers from SQLite and as numbers or strings from MySQL. */
export const Count = Schema.Union(Schema.Number, Schema.NumberFromString)

/** The SQLite file the stores live in, so a lock, a full disk or a read-only file names it; absent on MySQL. */
export class StoreFile extends Context.Tag("event-store/StoreFile")<StoreFile, string>() {}

/**
 * What went wrong, with the driver's own words: @effect/sql says "Failed to execute statement" and keeps the
 * database's reason ("Data too long for column 'code_version'") in its cause.
 */
const driverMessage = (cause: unknown): string => {
  const outer = (cause as { message?: unknown } | null)?.message
  const inner = ((cause as { cause?: { message?: unknown } } | null)?.cause as { message?: unknown } | undefined)?.message
  if (typeof outer !== "string") return String(cause)
  return typeof inner === "string" && inner !== "" && !outer.includes(inner) ? `${outer}: ${inner}` : outer
}

/** A store failure as an EventStoreError naming the store, the operation and, when it is known, the cause and the fix. */
export const storeError = (store: string, what: string, cause: unknown, file?: string): EventStoreError => {
  const problem = file === undefined ? undefined : storeProblem(file, cause)
  const detail = problem ?? driverMessage(cause)
  return new EventStoreError({ message: `${store}: ${what} failed: ${detail}`, cause })
}

/**
 * Wraps a store operation's failure (SQL or row decoding) as an EventStoreError naming the store and the operation;
 * read where the store is built, since its operations run in their callers' context, where StoreFile is not.
 */
export const failingAs = (store: string) =>
  Effect.map(
    Effect.serviceOption(StoreFile),
    (file) =>
      (what: string) =>
      <A, E, R>(e: Effect.Effect<A, E, R>): Effect.Effect<A, EventStoreError, R> =>
        e.pipe(Effect.mapError((cause) => storeError(store, what, cause, Option.getOrUndefined(file))))
  )

/**
 * Rows an UPDATE or INSERT matched, from the driver's raw result: better-sqlite3 says `changes`, mysql2 says
 * `affectedRows` (rows found, not only rows changed: mysql2 connects with FOUND_ROWS).
 */
export const affectedRows = (raw: unknown): number => {
  const r = raw as { changes?: number; affectedRows?: number } | null
  return Number(r?.changes ?? r?.affectedRows ?? 0)
}

/** `xs` in slices of at most `n`: a statement's parameters are bounded (SQLite: 32,766; MySQL: 65,535) */
export const chunks = <A>(xs: ReadonlyArray<A>, n = 500): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n))
  return out
}
