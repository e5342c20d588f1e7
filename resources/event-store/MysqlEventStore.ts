import * as MysqlClient from "@effect/sql-mysql2/MysqlClient"
import { Config, Effect, Layer, type Redacted } from "effect"
import type { BackfillStore } from "../../runtime/backfill/BackfillStore.js"
import type { CheckStore } from "../../runtime/checks/CheckStore.js"
import { EventStoreError, type EventStore } from "../../runtime/events/EventStore.js"
import type { LeaseStore } from "../../runtime/lease/LeaseStore.js"
import type { TickStore } from "../../runtime/automation/TickStore.js"
import type { StatusCache } from "../../runtime/status/StatusCache.js"
import { mysqlProblem } from "../mysql/mysqlErrors.js"
import { parseMysqlUrl, type MysqlUrlError } from "../mysql/mysqlUrl.js"
import { sqlStores } from "./sqlStores.js"

/**
 * The shared event store: the same stores and migrations as SQLite, on a MySQL (or MariaDB) database, so several
 * runners and the API see one history. The database must exist; the migrations create the tables.
 */
export const layer = (url: Redacted.Redacted<string>): Layer.Layer<EventStore | BackfillStore | LeaseStore | CheckStore | TickStore | StatusCache, EventStoreError> =>
  Layer.unwrapEffect(
    Effect.try({
      try: () => parseMysqlUrl(url, "ASSETS_EVENT_STORE"),
      catch: (e) => new EventStoreError({ message: (e as MysqlUrlError).message })
    }).pipe(
      Effect.map((target) =>
        sqlStores.pipe(
          Layer.provide(
            MysqlClient.layer({
              host: target.host,
              port: target.port,
              database: target.database,
              username: target.user,
              password: target.password,
              maxConnections: 8,
              // see MysqlSakilaSource: a maxIdle below the pool's size leaks a timer when connecting fails
              poolConfig: { maxIdle: 8, timezone: "Z", connectTimeout: 5_000 }
            })
          ),
          Layer.mapError((cause) =>
            cause instanceof EventStoreError
              ? cause
              : new EventStoreError({
                  message: `event store: ${mysqlProblem(target, cause, { doing: "opening the event store" }).message}`,
                  cause
                })
          )
        )
      )
    )
  )

/** `ASSETS_EVENT_STORE=mysql://user:password@host:3306/assets` */
export const layerConfig = Layer.unwrapEffect(Effect.map(Config.redacted("ASSETS_EVENT_STORE"), layer))
