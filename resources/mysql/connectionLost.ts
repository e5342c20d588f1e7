import type { EventEmitter } from "node:events"
import type { SqlConnection } from "@effect/sql"
import { Effect } from "effect"

/**
 * The mysql2 connection under a reserved @effect/sql-mysql2 connection. The adapter keeps it in a field it does not
 * export, and it is the only object mysql2 tells when the server kills or closes the connection; undefined if a
 * later adapter stores it otherwise (the stall timeout still notices, only later).
 */
const driverConnection = (conn: SqlConnection.Connection): EventEmitter | undefined => {
  const raw = (conn as unknown as { readonly conn?: Partial<EventEmitter> }).conn
  return typeof raw?.once === "function" && typeof raw.off === "function" ? (raw as EventEmitter) : undefined
}

/**
 * Fails as soon as mysql2 reports the reserved connection dead ('error', or 'end' when the server closed it):
 * mysql2 never fails or ends a streamed query whose connection died, so a stream raced with this fails at once
 * instead of waiting for rows that will not come. Never completes while the connection lives.
 */
export const connectionLost = (conn: SqlConnection.Connection): Effect.Effect<never, unknown> =>
  Effect.async<never, unknown>((resume) => {
    const raw = driverConnection(conn)
    if (raw === undefined) return
    const onError = (cause: unknown) => resume(Effect.fail(cause))
    // the same error mysql2 reports a moment later on 'error', so the message and the retry do not depend on which came first
    const onEnd = () =>
      resume(Effect.fail(Object.assign(new Error("Connection lost: The server closed the connection."), { code: "PROTOCOL_CONNECTION_LOST", fatal: true })))
    raw.once("error", onError)
    raw.once("end", onEnd)
    return Effect.sync(() => {
      raw.off("error", onError)
      raw.off("end", onEnd)
    })
  })
