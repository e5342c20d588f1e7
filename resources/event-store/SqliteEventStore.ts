import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import { Cause, Effect, Layer, Option } from "effect"
import type { BackfillStore } from "../../runtime/backfill/BackfillStore.js"
import type { CheckStore } from "../../runtime/checks/CheckStore.js"
import { EventStoreError, type EventStore } from "../../runtime/events/EventStore.js"
import type { LeaseStore } from "../../runtime/lease/LeaseStore.js"
import type { TickStore } from "../../runtime/automation/TickStore.js"
import type { StatusCache } from "../../runtime/status/StatusCache.js"
import { StoreFile, storeError } from "./sqlShared.js"
import { sqlStores } from "./sqlStores.js"
import * as SqliteReader from "./SqliteReader.js"
import { codeOf } from "../fs/diskRefusal.js"

/**
 * Opening failures as an EventStoreError naming the file, the cause and the fix. better-sqlite3 throws while the
 * client opens the file (a lock, a read-only file system): a defect there, taken here when it carries a code.
 */
const opening = (filename: string) => (cause: Cause.Cause<unknown>) => {
  const failure = Cause.failureOption(cause)
  const error = Option.isSome(failure) ? failure.value : Cause.squash(cause)
  if (error instanceof EventStoreError) return Layer.fail(error)
  return Option.isSome(failure) || codeOf(error) !== undefined
    ? Layer.fail(storeError("event store", `opening ${filename}`, error, filename))
    : Layer.failCause(cause)
}

/** The embedded event store: one SQLite file (WAL, so status reads do not block a running materialization). */
export const layer = (filename: string): Layer.Layer<EventStore | BackfillStore | LeaseStore | CheckStore | TickStore | StatusCache, unknown> =>
  sqlStores.pipe(
    Layer.provide(
      Layer.unwrapEffect(
        Effect.try({
          try: () => {
            if (filename !== ":memory:") mkdirSync(dirname(filename), { recursive: true })
          },
          catch: (cause) => cause
        }).pipe(
          Effect.as(
            // WAL with synchronous=NORMAL survives a killed process; only a power cut can lose the last commits.
            // A checkpoint every 10,000 pages (40 MB of WAL) instead of SQLite's 1,000: a record touches about 15
            // pages, mostly the same hot ones, so a checkpoint copies each once for many commits. Over 3,000 no-op tasks
            // (two runs each way) a commit took 0.20-0.22 ms against 0.25-0.41 ms, a lease's write half as long.
            Layer.effectDiscard(
              Effect.flatMap(SqlClient.SqlClient, (sql) => Effect.zipRight(sql`PRAGMA synchronous = NORMAL`, sql`PRAGMA wal_autocheckpoint = 10000`))
            ).pipe(
              Layer.provideMerge(SqliteClient.layer({ filename }))
            )
          )
        )
      )
    ),
    // the API's reads of every request go through a connection of their own (an in-memory store has no file to share)
    Layer.provide(filename === ":memory:" ? Layer.empty : SqliteReader.layer(filename)),
    Layer.provide(Layer.succeed(StoreFile, filename)),
    Layer.catchAllCause(opening(filename))
  )
