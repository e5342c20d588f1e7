import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect, Layer } from "effect"
import type { BackfillStore } from "../../runtime/backfill/BackfillStore.js"
import type { EventStore } from "../../runtime/events/EventStore.js"
import type { LeaseStore } from "../../runtime/lease/LeaseStore.js"
import { sqlStores } from "./sqlStores.js"

/** The embedded event store: one SQLite file (WAL, so status reads do not block a running materialization). */
export const layer = (filename: string): Layer.Layer<EventStore | BackfillStore | LeaseStore, unknown> =>
  sqlStores.pipe(
    Layer.provide(
      Layer.unwrapEffect(
        Effect.sync(() => {
          if (filename !== ":memory:") mkdirSync(dirname(filename), { recursive: true })
          // WAL with synchronous=NORMAL survives a killed process; only a power cut can lose the last commits
          return Layer.effectDiscard(Effect.flatMap(SqlClient.SqlClient, (sql) => sql`PRAGMA synchronous = NORMAL`)).pipe(
            Layer.provideMerge(SqliteClient.layer({ filename }))
          )
        })
      )
    )
  )
