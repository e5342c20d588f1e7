import { Effect, Schema } from "effect"
import { EventStoreError } from "../../runtime/events/EventStore.js"

/** Counts arrive as numbers from SQLite and as numbers or strings from MySQL. */
export const Count = Schema.Union(Schema.Number, Schema.NumberFromString)

/** Wraps a store operation's failure (SQL or row decoding) as an EventStoreError naming the store and the operation. */
export const failingAs =
  (store: string) =>
  (what: string) =>
  <A, E extends { message: string }, R>(e: Effect.Effect<A, E, R>): Effect.Effect<A, EventStoreError, R> =>
    e.pipe(Effect.mapError((cause) => new EventStoreError({ message: `${store}: ${what} failed: ${cause.message}`, cause })))

/**
 * Rows an UPDATE or INSERT matched, from the driver's raw result: better-sqlite3 says `changes`, mysql2 says
 * `affectedRows` (rows found, not only rows changed: mysql2 connects with FOUND_ROWS).
 */
export const affectedRows = (raw: unknown): number => {
  const r = raw as { changes?: number; affectedRows?: number } | null
  return Number(r?.changes ?? r?.affectedRows ?? 0)
}
