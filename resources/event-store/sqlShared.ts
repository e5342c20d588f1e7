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
