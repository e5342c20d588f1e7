/** Where a MySQL source points, for messages: never the password. */
export interface MysqlTarget {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly database: string
  /** the setting the URL came from, named in what-to-check hints */
  readonly setting: string
}

export const where = (t: MysqlTarget): string => `${t.user}@${t.host}:${t.port}/${t.database}`

type Kind = "unreachable" | "lost" | "credentials" | "database" | "table" | "other"

const unreachable = new Set(["ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ER_CON_COUNT_ERROR"])
const lost = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "ECONNRESET",
  "EPIPE",
  "ER_CONNECTION_KILLED",
  "ER_SERVER_SHUTDOWN",
  "ER_QUERY_INTERRUPTED",
  "PROTOCOL_SEQUENCE_TIMEOUT"
])
const credentials = new Set(["ER_ACCESS_DENIED_ERROR", "ER_DBACCESS_DENIED_ERROR", "ER_ACCESS_DENIED_NO_PASSWORD_ERROR", "ER_TABLEACCESS_DENIED_ERROR"])
/** MariaDB reports a killed connection with errno 1927, which mysql2 has no code name for */
const lostErrnos = new Set([1927, 2013, 1053, 1317])

interface DriverError {
  readonly code?: string
  readonly errno?: number
  readonly sqlMessage?: string
  readonly message?: string
}

/** The driver's error under @effect/sql's SqlError (its `cause`), or the error itself. */
const driverError = (cause: unknown): DriverError => {
  let e: unknown = cause
  for (let depth = 0; depth < 4 && typeof e === "object" && e !== null; depth++) {
    const d = e as DriverError & { cause?: unknown }
    if (d.code !== undefined || d.errno !== undefined) return d
    if (d.cause === undefined) return d
    e = d.cause
  }
  return (typeof e === "object" && e !== null ? e : { message: String(e) }) as DriverError
}

const kindOf = (d: DriverError): Kind => {
  const code = d.code ?? ""
  if (unreachable.has(code) || /connection timeout/i.test(d.message ?? "")) return "unreachable"
  if (lost.has(code) || (d.errno !== undefined && lostErrnos.has(d.errno)) || /connection lost|closed the connection|was killed/i.test(d.message ?? "")) return "lost"
  if (credentials.has(code)) return "credentials"
  if (code === "ER_BAD_DB_ERROR") return "database"
  if (code === "ER_NO_SUCH_TABLE") return "table"
  return "other"
}

/** What a MySQL driver failure means: a message that says what went wrong, where and what to check, and whether
 * trying again may help (the server unreachable, or the connection lost). */
export interface MysqlProblem {
  readonly message: string
  readonly transient: boolean
}

export const mysqlProblem = (target: MysqlTarget, cause: unknown, context: { readonly table?: string; readonly doing: string }): MysqlProblem => {
  const d = driverError(cause)
  const kind = kindOf(d)
  const detail = d.sqlMessage ?? d.message ?? String(cause)
  const code = d.code ? ` (${d.code})` : ""
  const at = `MySQL at ${target.host}:${target.port}`
  const table = context.table
  const message = (() => {
    switch (kind) {
      case "unreachable":
        return `cannot reach ${at} while ${context.doing}${code}: check that the server is running and accepts TCP connections there, and the host and port in ${target.setting}`
      case "lost":
        return `the connection to ${at} was lost while ${context.doing}${code}: ${detail}; check the server's log (a restart, a KILL, or wait_timeout/max_execution_time)`
      case "credentials":
        return `${at} refused user '${target.user}'${code}: ${detail}; check the user and password in ${target.setting} and the user's grants on ${target.database}`
      case "database":
        return `database '${target.database}' does not exist on ${at}: check the database name in ${target.setting}, or create it`
      case "table":
        return `table '${table ?? "?"}' is missing from ${target.database} on ${at}: create it there, or point ${target.setting} at the database that has it`
      case "other":
        return `${context.doing} on ${at} failed${code}: ${detail}`
    }
  })()
  return { message, transient: kind === "unreachable" || kind === "lost" }
}
