import { timingSafeEqual } from "node:crypto"
import { Config, Context, Effect, Layer, Option, Redacted } from "effect"
import { Unauthorized, WritesDisabled } from "./errors.js"

/**
 * Who may call the API: a bearer token (`ASSETS_API_TOKEN`), whether the server listens on loopback only, and
 * the host names a request may name in its Host header besides loopback and IP addresses (the bound host and
 * `ASSETS_API_ALLOWED_HOSTS`), lower case.
 */
export class ApiAuth extends Context.Tag("ui-api/ApiAuth")<
  ApiAuth,
  { readonly token: Option.Option<Redacted.Redacted<string>>; readonly loopback: boolean; readonly allowedHosts: ReadonlyArray<string> }
>() {}

export const isLoopback = (host: string): boolean =>
  host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host)

const settings = (host: string, token: Option.Option<Redacted.Redacted<string>>, allowedHosts: ReadonlyArray<string>): ApiAuth["Type"] => ({
  token,
  loopback: isLoopback(host),
  allowedHosts: [host, ...allowedHosts].map((h) => h.toLowerCase())
})

export const layer = (options: { readonly host: string; readonly token?: string | undefined; readonly allowedHosts?: ReadonlyArray<string> }) =>
  Layer.succeed(ApiAuth, settings(options.host, Option.map(Option.fromNullable(options.token), Redacted.make), options.allowedHosts ?? []))

/** A host name as a Host header carries it, without scheme, port or path. */
const hostName = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/

const allowedHostsConfig = Config.array(Config.string(), "ASSETS_API_ALLOWED_HOSTS").pipe(
  Config.map((names) => names.filter((n) => n !== "")),
  Config.validate({
    message: "ASSETS_API_ALLOWED_HOSTS is a comma list of host names (like assets.example.com), without scheme, port or path",
    validation: (names) => names.every((n) => hostName.test(n))
  }),
  Config.withDefault([])
)

/** `ASSETS_API_TOKEN` and `ASSETS_API_ALLOWED_HOSTS`, for a server bound to `host`. */
export const layerConfig = (host: string) =>
  Layer.effect(
    ApiAuth,
    Effect.map(
      Effect.all([Config.option(Config.redacted("ASSETS_API_TOKEN")), allowedHostsConfig]),
      ([token, allowedHosts]) => settings(host, token, allowedHosts)
    )
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
