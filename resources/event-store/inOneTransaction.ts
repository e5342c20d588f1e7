import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type * as Statement from "@effect/sql/Statement"
import { Effect, Option } from "effect"
import { chunks } from "./sqlShared.js"

/** statements sent in one query on MySQL, whose client allows several: the parameters of a query are bounded */
const PER_QUERY = 100

/**
 * Statements in one transaction (one alone needs none, and none nothing).
 *
 * On MySQL the transaction is one round trip when it fits in one query: `START TRANSACTION; …; COMMIT` on a
 * connection held for it. A record is one transaction per task, and BEGIN and COMMIT sent on their own were two of
 * its three round trips: under load each wait for the server is long, and with two workers on two cores each wakes
 * the server and another process (bench/backfill.ts, two MariaDB workers). A statement failing part way stops the
 * query with its transaction open, so it is rolled back on that connection before the connection goes back to the
 * pool, also when the caller is interrupted (the server runs the query to its end or its error); a connection that
 * is lost rolls back on the server. Inside a transaction already open, or when the
 * statements need several queries, the client's own transaction is used.
 */
export const inOneTransaction = (sql: SqlClient.SqlClient, statements: ReadonlyArray<Statement.Statement<unknown>>): Effect.Effect<void, SqlError> =>
  Effect.gen(function* () {
    if (statements.length <= 1) return statements.length === 0 ? undefined : yield* Effect.asVoid(statements[0]!)
    const mysql = sql.onDialectOrElse({ mysql: () => true, orElse: () => false })
    const outer = yield* Effect.serviceOption(SqlClient.TransactionConnection)
    if (mysql && statements.length <= PER_QUERY && Option.isNone(outer)) {
      const [text, params] = sql`${sql.join("; ", false)(statements)}`.compile()
      return yield* Effect.scoped(
        Effect.flatMap(sql.reserve, (conn) =>
          conn
            .executeUnprepared(`START TRANSACTION; ${text}; COMMIT`, params, undefined)
            // on a failure and on an interruption (the query runs on in the server): queued behind it on its connection
            .pipe(Effect.onError(() => Effect.ignore(conn.executeUnprepared("ROLLBACK", [], undefined))), Effect.asVoid)
        )
      )
    }
    return yield* sql.withTransaction(
      mysql
        ? Effect.forEach(chunks(statements, PER_QUERY), (batch) => sql`${sql.join("; ", false)(batch)}`.unprepared, { discard: true })
        : Effect.forEach(statements, (statement) => statement, { discard: true })
    )
  })
