import * as Reactivity from "@effect/experimental/Reactivity"
import type { SqlClient } from "@effect/sql"
import { MysqlClient } from "@effect/sql-mysql2"
import { Config, Duration, Effect, Layer, Option, Redacted, Schedule, Scope, Stream, SynchronizedRef } from "effect"
import { SakilaSource, SourceError, sakilaColumns, sakilaKeys, type SakilaTable, type SourceRow } from "../SakilaSource.js"
import { shortHash } from "sakila-assets"
import { connectionLost, mysqlProblem, parseMysqlUrl, where, type MysqlTarget, type MysqlUrlError } from "sakila-assets/mysql"

/** A driver failure as the source's own error: what went wrong, where, what to check, and whether to retry. */
const sourceError = (target: MysqlTarget, cause: unknown, context: { readonly table?: SakilaTable; readonly doing: string }): SourceError => {
  const problem = mysqlProblem(target, cause, context)
  return new SourceError({ message: problem.message, transient: problem.transient, cause, ...(context.table ? { table: context.table } : {}) })
}

export interface Options {
  /** `mysql://user:password@host:port/database` */
  readonly url: Redacted.Redacted<string>
  /** how often a transient failure (unreachable, connection lost) is retried before giving up (default 4) */
  readonly retries?: number
  /** the first backoff, doubled at each retry (default 200 ms) */
  readonly retryBase?: Duration.DurationInput
  /**
   * how long an extraction waits for the next rows before taking the connection as lost (default 30 s). A KILL or
   * a restart is noticed at once, when mysql2 sees the connection close; this is for a link that drops without a
   * word (a cable, a firewall), after which no close ever arrives
   */
  readonly stallTimeout?: Duration.DurationInput
}

const quote = (identifier: string) => `\`${identifier.replaceAll("`", "``")}\``

/**
 * The Sakila source on a MySQL (or MariaDB) database through `@effect/sql-mysql2`. It connects on first use (so
 * commands that do not read the source work while the server is down), retries transient failures with a
 * bounded exponential backoff, and streams rows (the driver pauses the socket while the consumer is busy).
 * Values have the generated source's types: DECIMAL as string, DATETIME/TIMESTAMP as Date in UTC, YEAR as a
 * number, SET as the comma-joined string, NULL as null.
 */
export const make = (options: Options): Effect.Effect<SakilaSource["Type"], SourceError, Scope.Scope> =>
  Effect.gen(function* () {
    const target = yield* Effect.try({
      try: () => parseMysqlUrl(options.url, "SAKILA_MYSQL_URL"),
      catch: (e) => new SourceError({ message: (e as MysqlUrlError).message })
    })
    const scope = yield* Effect.scope
    const stall = Duration.decode(options.stallTimeout ?? "30 seconds")
    const retry = <A, R>(effect: Effect.Effect<A, SourceError, R>) =>
      effect.pipe(
        Effect.retry({
          schedule: Schedule.exponential(options.retryBase ?? "200 millis").pipe(Schedule.intersect(Schedule.recurs(options.retries ?? 4))),
          while: (e) => e.transient === true
        })
      )

    const connect = MysqlClient.make({
      host: target.host,
      port: target.port,
      database: target.database,
      username: target.user,
      password: target.password,
      maxConnections: 4,
      // maxIdle at the pool's size: a smaller one starts a timer that @effect/sql-mysql2 never clears when the first
      // connection fails (it ends the pool only after connecting), which keeps the process alive after the error
      poolConfig: { maxIdle: 4, timezone: "Z", connectTimeout: 5_000, dateStrings: false, decimalNumbers: false, bigNumberStrings: false }
    }).pipe(
      Effect.provide(Reactivity.layer),
      Scope.extend(scope),
      Effect.mapError((cause) => sourceError(target, cause, { doing: "connecting" }))
    )

    // the pool, made on first use; a failed attempt leaves it unset so the next use tries again
    const pool = yield* SynchronizedRef.make(Option.none<SqlClient.SqlClient>())
    const client = SynchronizedRef.modifyEffect(pool, (current) =>
      Option.isSome(current) ? Effect.succeed([current.value, current] as const) : Effect.map(connect, (c) => [c, Option.some(c)] as const)
    )

    const observe = Effect.fn("MysqlSakilaSource.observe")(function* (table: SakilaTable) {
      const sql = yield* retry(client)
      const id = quote(table)
      return yield* retry(
        Effect.gen(function* () {
          // UNIX_TIMESTAMP of a TIMESTAMP does not depend on the session's time zone
          const [stats] = yield* sql.unsafe<{ n: number | string; last: string | number | null }>(
            `SELECT COUNT(*) AS n, UNIX_TIMESTAMP(MAX(last_update)) AS last FROM ${id}`
          ).unprepared
          const checksum = yield* sql.unsafe<{ Checksum: number | string | null }>(`CHECKSUM TABLE ${id}`).unprepared
          return shortHash(table, String(stats?.n), String(stats?.last), String(checksum[0]?.Checksum))
        }).pipe(Effect.mapError((cause) => sourceError(target, cause, { table, doing: `observing ${table}` })))
      )
    })

    const extract = (table: SakilaTable, extractOptions?: { readonly since?: { readonly column: string; readonly value: string | number | Date } | undefined }) => {
      const columns = sakilaColumns[table]
      const since = extractOptions?.since
      const text = `SELECT ${columns.map(quote).join(", ")} FROM ${quote(table)}${since ? ` WHERE ${quote(since.column)} >= ?` : ""} ORDER BY ${sakilaKeys[table].map(quote).join(", ")}`
      const fail = (cause: unknown) => sourceError(target, cause, { table, doing: `extracting ${table}` })
      return Stream.unwrapScoped(
        Effect.gen(function* () {
          const sql = yield* retry(client)
          // one connection for the stream, in UTC so TIMESTAMP values arrive as the instants they are
          const conn = yield* retry(sql.reserve.pipe(Effect.mapError(fail)))
          yield* conn.executeRaw("SET time_zone = '+00:00'", []).pipe(Effect.mapError(fail))
          return conn.executeStream(text, since ? [since.value] : [], undefined).pipe(
            Stream.map((row): SourceRow => columns.map((c) => normalize((row as Record<string, unknown>)[c]))),
            // a KILL or a server restart fails the stream (and so the retry starts) when mysql2 sees the connection close
            Stream.interruptWhen(connectionLost(conn)),
            Stream.mapError(fail),
            Stream.timeoutFail(
              () =>
                new SourceError({
                  table,
                  transient: true,
                  message: `no rows arrived from MySQL at ${target.host}:${target.port} for ${Duration.format(stall)} while extracting ${table}: the connection was lost or the server stalled; check the server's log (a restart, a KILL, or wait_timeout/max_execution_time)`
                }),
              stall
            )
          )
        })
      ).pipe(Stream.withSpan("MysqlSakilaSource.extract", { attributes: { table } }))
    }

    return SakilaSource.of({ describe: `MySQL ${where(target)}`, observe, extract })
  })

/** Driver values as SourceRow values: Buffers (BIT, BLOB) as text; numbers beyond 2^53 arrive as strings. */
const normalize = (v: unknown): SourceRow[number] => {
  if (v === null || v === undefined) return null
  if (typeof v === "string" || typeof v === "number" || v instanceof Date) return v
  if (Buffer.isBuffer(v)) return v.toString("utf8")
  return String(v)
}

export const layer = (options: Options): Layer.Layer<SakilaSource, SourceError> => Layer.scoped(SakilaSource, make(options))

/** `SAKILA_MYSQL_URL` (required), `SAKILA_MYSQL_RETRIES` (default 4). */
export const layerConfig: Layer.Layer<SakilaSource, SourceError | import("effect/ConfigError").ConfigError> = Layer.scoped(
  SakilaSource,
  Effect.gen(function* () {
    const url = yield* Config.redacted("SAKILA_MYSQL_URL")
    const retries = yield* Config.withDefault(Config.integer("SAKILA_MYSQL_RETRIES"), 4)
    return yield* make({ url, retries })
  })
)
