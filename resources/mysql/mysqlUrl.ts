import { Data, Redacted } from "effect"
import type { MysqlTarget } from "./mysqlErrors.js"

export class MysqlUrlError extends Data.TaggedError("MysqlUrlError")<{ readonly message: string }> {}

/** `mysql://user:password@host:port/database` in parts; the password stays redacted. `setting` names it in messages. */
export const parseMysqlUrl = (
  url: Redacted.Redacted<string>,
  setting: string
): MysqlTarget & { readonly password: Redacted.Redacted<string> | undefined } => {
  let u: URL
  try {
    u = new URL(Redacted.value(url))
  } catch {
    throw new MysqlUrlError({ message: `${setting} is not a URL: expected mysql://user:password@host:3306/database` })
  }
  if (u.protocol !== "mysql:") throw new MysqlUrlError({ message: `${setting} must start with mysql:// (got ${u.protocol}//)` })
  const database = decodeURIComponent(u.pathname.replace(/^\//, ""))
  if (database === "") throw new MysqlUrlError({ message: `${setting} names no database: add it after the port, e.g. mysql://${u.host}/sakila` })
  return {
    host: u.hostname,
    port: u.port === "" ? 3306 : Number(u.port),
    user: decodeURIComponent(u.username) || "root",
    database,
    setting,
    password: u.password === "" ? undefined : Redacted.make(decodeURIComponent(u.password))
  }
}
