import { timingSafeEqual } from "node:crypto"
import { Config, Context, Effect, Layer, Option, Redacted } from "effect"
import { Unauthorized, WritesDisabled } from "./errors.js"

/** Who may call the API: a bearer token (`ASSETS_API_TOKEN`) and whether the server listens on loopback only. */
export class ApiAuth extends Context.Tag("ui-api/ApiAuth")<
  ApiAuth,
  { readonly token: Option.Option<Redacted.Redacted<string>>; readonly loopback: boolean }
>() {}

export const isLoopback = (host: string): boolean =>
  host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host)

export const layer = (options: { readonly host: string; readonly token?: string | undefined }) =>
  Layer.succeed(ApiAuth, { token: Option.map(Option.fromNullable(options.token), Redacted.make), loopback: isLoopback(options.host) })

/** `ASSETS_API_TOKEN`, for a server bound to `host`. */
export const layerConfig = (host: string) =>
  Layer.effect(
    ApiAuth,
    Effect.map(Config.option(Config.redacted("ASSETS_API_TOKEN")), (token) => ({ token, loopback: isLoopback(host) }))
  )

const sameToken = (given: string, token: string): boolean => {
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Writes need the token when one is configured or when the server listens beyond loopback (and are refused
 * there without one); reads are open on loopback, and need the token beyond it when one is configured.
 */
export const authorize = (
  auth: ApiAuth["Type"],
  kind: "read" | "write",
  header: string | undefined
): Unauthorized | WritesDisabled | undefined => {
  if (Option.isNone(auth.token)) {
    if (kind === "write" && !auth.loopback) {
      return new WritesDisabled({
        message: "writes are disabled on a server that listens beyond loopback without a token: set ASSETS_API_TOKEN and restart"
      })
    }
    return undefined
  }
  if (kind === "read" && auth.loopback) return undefined
  const given = /^Bearer (.+)$/.exec(header ?? "")?.[1]
  if (given === undefined) return new Unauthorized({ message: "this endpoint needs the header Authorization: Bearer <ASSETS_API_TOKEN>" })
  if (!sameToken(given, Redacted.value(auth.token.value))) return new Unauthorized({ message: "the bearer token is not the server's ASSETS_API_TOKEN" })
  return undefined
}
