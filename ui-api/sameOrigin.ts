import { isIP } from "node:net"
import type { Context, MiddlewareHandler } from "hono"
import type { ApiAuth } from "./auth.js"
import { CrossSiteRequest, HostNotAllowed, UnsupportedMediaType } from "./errors.js"

/**
 * What a page of another site may make a browser do to this server: nothing. A browser sends a form or a
 * text/plain POST across sites without asking first, and a DNS-rebinding page reaches a loopback server under
 * its own host name; so every request must name the server in its Host, and a write must be JSON from the
 * server's own origin.
 */

/** The host a request names: its Host header, or the URL's host (`app.request("/api/...")` sends none: localhost). */
export const requestHost = (c: Context): string => c.req.header("host") ?? new URL(c.req.url).host

/** The name in a Host header (`name`, `name:port`, `[v6]:port`), lower case; undefined when it is not one. */
const hostNameOf = (host: string): string | undefined => /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(host)?.[1]?.toLowerCase()

/** An IP address cannot be rebound by DNS to this server, so any is accepted; a name must be known. */
const hostAllowed = (auth: ApiAuth["Type"], host: string): boolean => {
  const name = hostNameOf(host)
  if (name === undefined) return false
  const ip = name.startsWith("[") ? isIP(name.slice(1, -1)) === 6 : isIP(name) === 4
  return ip || name === "localhost" || auth.allowedHosts.includes(name)
}

const shown = (value: string) => JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value)

/** Refuses, before any route runs, a request whose Host is not one of the server's names. */
export const hostGuard = (auth: () => Promise<ApiAuth["Type"]>): MiddlewareHandler => async (c, next) => {
  const host = requestHost(c)
  if (!hostAllowed(await auth(), host)) {
    throw new HostNotAllowed({
      message: `the Host header ${shown(host)} is not a name of this server: use its address, localhost, or add the name to ASSETS_API_ALLOWED_HOSTS and restart`
    })
  }
  return next()
}

/** Whether an Origin header names the scheme and host:port the request was sent to (`null` never does). */
const sameOrigin = (origin: string, c: Context): boolean => {
  try {
    return new URL(origin).origin === new URL(`${new URL(c.req.url).protocol}//${requestHost(c)}`).origin
  } catch {
    return false
  }
}

/** The media type of a Content-Type header, without parameters, lower case. */
const mediaType = (header: string | undefined) => (header ?? "").split(";")[0]!.trim().toLowerCase()

/**
 * A write is refused when a browser says another site sent it (Sec-Fetch-Site other than same-origin or none,
 * an Origin other than the server's own, `null` included), or when it is not JSON: forms and text/plain are
 * exactly what a browser sends across sites without a pre-flight.
 */
export const refuseForeignWrite = (c: Context): CrossSiteRequest | UnsupportedMediaType | undefined => {
  const site = c.req.header("sec-fetch-site")
  if (site !== undefined && site !== "same-origin" && site !== "none") {
    return new CrossSiteRequest({ message: `refused a write with Sec-Fetch-Site: ${shown(site)}: writes come only from this server's own page or from clients that are not browsers` })
  }
  const origin = c.req.header("origin")
  if (origin !== undefined && !sameOrigin(origin, c)) {
    return new CrossSiteRequest({ message: `refused a write from Origin ${shown(origin)}: writes come only from this server's own page or from clients that are not browsers` })
  }
  const type = mediaType(c.req.header("content-type"))
  if (type !== "application/json") {
    return new UnsupportedMediaType({ message: `writes take a JSON body: send Content-Type: application/json${type === "" ? "" : ` (not ${shown(type)})`}` })
  }
  return undefined
}
