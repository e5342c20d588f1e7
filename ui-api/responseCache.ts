import type { Context, MiddlewareHandler } from "hono"
import { Lru } from "./lru.js"

/** Routes whose answer is a function of the recorded materializations only (no observations, runs or files). */
const cacheable = [
  /^\/api\/assets\/[^/]+\/materializations$/,
  /^\/api\/materializations\/[^/]+$/,
  /^\/api\/materializations\/[^/]+\/lineage$/,
  /^\/api\/assets\/[^/]+\/lineage$/
]

/** The text of the JSON answer each request's route gave through `reusableJson`. */
const answered = new WeakMap<Context, string>()

/**
 * `c.json` for the routes above: the cache keeps the text sent, where reading the response back (a clone) would
 * cost a stream per answer and take the server off its fast path for string bodies.
 */
export const reusableJson = (c: Context, value: unknown): Response => {
  const text = JSON.stringify(value)
  answered.set(c, text)
  return c.body(text, 200, { "Content-Type": "application/json" })
}

/**
 * Reuses successful JSON answers of those routes while the read model's version stands still: history and
 * lineage never change until something new is materialized. Bounded, least recently used out first. An answer
 * is kept from the second time its URL is asked: most of these URLs name a cursor or a record of their own and
 * come once, and keeping each such answer (kilobytes of text that outlive the young generation, then push out
 * one that was asked again) cost a cold history page about a tenth of its time in garbage collection.
 */
export const responseCache = (version: () => Promise<(() => number) | undefined>, capacity = 5_000): MiddlewareHandler => {
  const entries = new Lru<string, { readonly version: number; readonly body: string }>(capacity)
  // the URLs answered once and not kept, most recent last
  const seen = new Lru<string, true>(capacity * 2)
  return async (c, next) => {
    const current = c.req.method === "GET" && cacheable.some((re) => re.test(c.req.path)) ? await version() : undefined
    if (current === undefined) return next()
    const key = c.req.url
    const v = current()
    const hit = entries.get(key)
    if (hit !== undefined && hit.version === v) return c.body(hit.body, 200, { "Content-Type": "application/json" })
    await next()
    const body = answered.get(c)
    if (c.res.status !== 200 || body === undefined) return
    if (hit !== undefined || seen.get(key) !== undefined) entries.set(key, { version: v, body })
    else seen.set(key, true)
  }
}
