import { Exit, Fiber, ManagedRuntime } from "effect"
import { describe, expect, it } from "vitest"
import * as DuckDB from "../resources/duckdb/DuckDB.js"

/** A signal or a cancel interrupts the fiber waiting on a query: the query itself must stop, not run on unseen. */
describe("DuckDB under interruption", () => {
  it("an interrupted query stops at once, and the engine answers the next one", async () => {
    const runtime = ManagedRuntime.make(DuckDB.layer({ threads: 1 }))
    try {
      const duck = await runtime.runPromise(DuckDB.DuckDB)
      // minutes of work on one thread if nothing stops it
      const fiber = runtime.runFork(duck.run("SELECT count(*) FROM range(1000000000000) a WHERE hash(a.range) % 7 = 3"))
      await new Promise((r) => setTimeout(r, 300))
      const exit = await runtime.runPromise(Fiber.interrupt(fiber))
      expect(Exit.isInterrupted(exit)).toBe(true)
      // the fiber ends at once either way; whether the query stopped shows in this process's CPU: a query still
      // running keeps its thread busy (about 1 s of CPU a second), a stopped one leaves it idle
      await new Promise((r) => setTimeout(r, 200))
      const before = process.cpuUsage()
      await new Promise((r) => setTimeout(r, 1000))
      const used = process.cpuUsage(before)
      expect((used.user + used.system) / 1e6).toBeLessThan(0.4)
      expect(await runtime.runPromise(duck.run("SELECT 42"))).toBeUndefined()
    } finally {
      await runtime.dispose()
    }
  })
})
