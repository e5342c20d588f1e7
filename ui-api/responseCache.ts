import type { MiddlewareHandler } from "hono"

/** Routes whose answer is a function of the recorded materializations only (no observations, runs or files). */
const cacheable = [
  /^\/api\/assets\/[^/]+\/materializations$/,
  /^\/api\/materializations\/[^/]+$/,
  /^\/api\/materializations\/[^/]+\/lineage$/,
  /^\/api\/assets\/[^/]+\/lineage$/
]

/**
 * Reuses successful JSON answers of those routes while the read model's version stands still: history and
 * lineage never change until something new is materialized. Bounded, least recently used out first.
 */
export const responseCache = (version: () => Promise<(() => number) | undefined>, capacity = 5_000): MiddlewareHandler => {
  const entries = new Map<string, { readonly version: number; readonly body: string }>()
  return async (c, next) => {
    const current = c.req.method === "GET" && cacheable.some((re) => re.test(c.req.path)) ? await version() : undefined
    if (current === undefined) return next()
    const key = c.req.url
    const v = current()
    const hit = entries.get(key)
    if (hit !== undefined && hit.version === v) {
      entries.delete(key)
      entries.set(key, hit)
      return c.body(hit.body, 200, { "Content-Type": "application/json" })
    }
    await next()
    if (c.res.status === 200 && (c.res.headers.get("content-type") ?? "").startsWith("application/json")) {
      const body = await c.res.clone().text()
      if (entries.size >= capacity) entries.delete(entries.keys().next().value!)
      entries.set(key, { version: v, body })
    }
  }
}
