import { rmSync } from "node:fs"
import { join } from "node:path"
import { type Layer, Redacted } from "effect"
import * as MysqlEventStore from "../../resources/event-store/MysqlEventStore.js"
import * as SqliteEventStore from "../../resources/event-store/SqliteEventStore.js"
import type { BackfillStore } from "../../runtime/backfill/BackfillStore.js"
import type { CheckStore } from "../../runtime/checks/CheckStore.js"
import type { EventStore } from "../../runtime/events/EventStore.js"
import type { LeaseStore } from "../../runtime/lease/LeaseStore.js"
import { createEmptyDatabase, mysqlAvailability } from "./sakilaDatabase.js"
import { tempDir } from "./testProject.js"

/** A store to run a test against: a fresh SQLite file, or a fresh MariaDB database (skipped when none is reachable). */
export interface StoreBackend {
  readonly name: string
  readonly skip: boolean
  readonly open: () => Promise<{ layer: Layer.Layer<EventStore | BackfillStore | LeaseStore | CheckStore, unknown>; close: () => Promise<void> }>
}

/** Both stores, named `name` (a folder prefix on SQLite, a database on MariaDB). */
export const storeBackends = async (name: string): Promise<ReadonlyArray<StoreBackend>> => {
  const mysql = await mysqlAvailability()
  return [
    {
      name: "SQLite",
      skip: false,
      open: async () => {
        const dir = tempDir(`${name.replaceAll("_", "-")}-`)
        return { layer: SqliteEventStore.layer(join(dir, "events.sqlite")), close: async () => rmSync(dir, { recursive: true, force: true }) }
      }
    },
    {
      name: "MySQL",
      skip: !mysql.ok,
      open: async () => {
        const db = await createEmptyDatabase(name)
        return { layer: MysqlEventStore.layer(Redacted.make(db.url)), close: db.drop }
      }
    }
  ]
}
