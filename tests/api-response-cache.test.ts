import { Hono } from "hono"
import { describe, expect, it } from "vitest"
import { responseCache, reusableJson } from "../ui-api/responseCache.js"

/** A history route that counts how often it is computed, behind the cache, at a read-model version of `version.n`. */
const counted = () => {
  const version = { n: 0 }
  let computed = 0
  const app = new Hono()
  app.use("/api/*", responseCache(async () => () => version.n))
  app.get("/api/assets/:key/materializations", (c) => reusableJson(c, { items: [c.req.query("before") ?? null], computed: ++computed }))
  const get = async (path: string) => {
    const res = await app.request(path)
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toBe("application/json")
    return (await res.json()) as { computed: number }
  }
  return { version, get, computed: () => computed }
}

describe("the API's reused answers", () => {
  it("keeps an answer from the second time its URL is asked, and reuses it while the version stands", async () => {
    const { get, computed } = counted()
    expect((await get("/api/assets/a/materializations?before=m1")).computed).toBe(1)
    expect((await get("/api/assets/a/materializations?before=m1")).computed).toBe(2)
    expect((await get("/api/assets/a/materializations?before=m1")).computed).toBe(2)
    // a URL asked once is not kept
    expect((await get("/api/assets/a/materializations?before=m2")).computed).toBe(3)
    expect((await get("/api/assets/a/materializations?before=m1")).computed).toBe(2)
    expect(computed()).toBe(3)
  })

  it("answers a kept URL again when the version moves, and keeps that answer at once", async () => {
    const { version, get } = counted()
    await get("/api/assets/a/materializations")
    await get("/api/assets/a/materializations")
    version.n++
    expect((await get("/api/assets/a/materializations")).computed).toBe(3)
    expect((await get("/api/assets/a/materializations")).computed).toBe(3)
  })
})
