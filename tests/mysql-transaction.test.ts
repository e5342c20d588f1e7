import * as MysqlClient from "@effect/sql-mysql2/MysqlClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Fiber, Layer, ManagedRuntime, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { inOneTransaction } from "../resources/event-store/inOneTransaction.js"
import { parseMysqlUrl } from "../resources/mysql/mysqlUrl.js"
import { createEmptyDatabase, mysqlAvailability, type SakilaDatabase } from "./support/sakilaDatabase.js"

const mysql = await mysqlAvailability()

/**
 * On MySQL a record's transaction is one query (resources/event-store/inOneTransaction.ts): the server runs it to
 * its end or its error whatever the caller does meanwhile. Its connection must never go back to the pool with that
 * transaction open, or the next statements sent on it would join it (and a later START TRANSACTION commit it).
 */
describe.skipIf(!mysql.ok)("a transaction in one query on MySQL", () => {
  let db: SakilaDatabase
  let runtime: ManagedRuntime.ManagedRuntime<SqlClient.SqlClient, unknown>
  beforeAll(async () => {
    db = await createEmptyDatabase("assets_tx")
    const target = parseMysqlUrl(Redacted.make(db.url), "test")
    // one connection: whatever the pool gives next is the connection the transaction ran on
    const client = MysqlClient.layer({
      host: target.host,
      port: target.port,
      database: target.database,
      username: target.user,
      password: target.password,
      maxConnections: 1,
      poolConfig: { maxIdle: 1 }
    })
    runtime = ManagedRuntime.make(client as Layer.Layer<SqlClient.SqlClient, unknown>)
    await runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (sql) => sql`CREATE TABLE t (id INTEGER PRIMARY KEY)`))
  })
  afterAll(async () => {
    await runtime?.dispose()
    await db?.drop()
  })

  const inTransaction = () => runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ open: number }>`SELECT @@in_transaction AS open`))
  const ids = () => runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ id: number }>`SELECT id FROM t ORDER BY id`)).then((rs) => rs.map((r) => Number(r.id)))

  it("a statement failing part way: nothing of it stays, and its connection is not left inside it", async () => {
    const exit = await runtime.runPromiseExit(
      Effect.flatMap(SqlClient.SqlClient, (sql) => inOneTransaction(sql, [sql`INSERT INTO t VALUES (1)`, sql`INSERT INTO t VALUES (1)`]))
    )
    expect(exit._tag).toBe("Failure")
    expect((await inTransaction()).map((r) => Number(r.open))).toEqual([0])
    expect(await ids()).toEqual([])
  })

  it("a caller interrupted while the server runs it: the failure that follows is rolled back before the connection is used again", async () => {
    await runtime.runPromise(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const fiber = yield* Effect.fork(inOneTransaction(sql, [sql`INSERT INTO t VALUES (2)`, sql`DO SLEEP(0.4)`, sql`INSERT INTO t VALUES (2)`]))
        yield* Effect.sleep("100 millis")
        yield* Fiber.interrupt(fiber)
      })
    )
    // the next statement on the one connection waits for the query, then for the rollback queued behind it
    expect((await inTransaction()).map((r) => Number(r.open))).toEqual([0])
    expect(await ids()).toEqual([])
    // and the connection commits what comes next on its own
    await runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (sql) => inOneTransaction(sql, [sql`INSERT INTO t VALUES (3)`, sql`INSERT INTO t VALUES (4)`])))
    expect(await ids()).toEqual([3, 4])
  })
})
