import { join } from "node:path"
import { it as effectIt } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, FiberSet, Layer, Schema, Scope, TestClock } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { Column, defineAsset, defineSource, type AnyAssetDef } from "sakila-assets"
import { eager, freshnessPolicy, ignoring, onCron, onMissing } from "../runtime/automation/AutomationCondition.js"
import { describeFreshness, freshnessOf } from "../runtime/automation/freshness.js"
import { describeDecision, makeDaemon } from "../runtime/automation/daemon.js"
import { TickStore } from "../runtime/automation/TickStore.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { LeaseStore } from "../runtime/lease/LeaseStore.js"
import { buildGraph } from "../runtime/graph/AssetGraph.js"
import { Project } from "../runtime/project/Project.js"
import * as DuckDB from "../resources/duckdb/DuckDB.js"
import * as DuckDBEngine from "../resources/duckdb/DuckDBEngine.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import * as LocalLake from "../resources/lake-fs/LocalLake.js"
import { chain, landTick } from "./support/synthetic.js"
import { tempDir, testProject } from "./support/testProject.js"

/** The synthetic chain ticks -> step1 -> step2, each step eager. */
const eagerChain = (): ReadonlyArray<AnyAssetDef> => chain(2).map((a) => (a._tag === "Asset" ? { ...a, automation: eager() } : a))

const disposers: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const d of disposers) await d()
})

/** A project with its daemon; `tick` evaluates once and waits for the run it launched. */
const withDaemon = async (assets: ReadonlyArray<AnyAssetDef>) => {
  const p = testProject({ assets })
  const scope = await p.runtime.runPromise(Scope.make())
  const daemon = await p.runtime.runPromise(Effect.provideService(makeDaemon({ budget: Duration.seconds(30), concurrency: 2 }), Scope.Scope, scope))
  disposers.push(async () => {
    await p.runtime.runPromise(Scope.close(scope, Exit.void))
    await p.dispose()
  })
  const tick = async () => {
    const t = await p.run(daemon.tick)
    await p.run(FiberSet.awaitEmpty(daemon.runs))
    return t
  }
  const count = (asset: string) => p.run(Effect.flatMap(EventStore, (s) => s.materializations({ asset: asset as never, limit: 1000 }))).then((ms) => ms.length)
  return { p, daemon, tick, count }
}

describe("the automation daemon", () => {
  it("materializes an eager asset once per change, down the chain in one run, and records why", async () => {
    const { p, tick, count } = await withDaemon(eagerChain())
    await p.run(landTick("2023-01", ["a", "bb"]))
    const first = await tick()
    expect(first.status).toBe("SUCCESS")
    expect(first.runIds).toHaveLength(1)
    expect(first.decisions.map(describeDecision)).toEqual(["step1[2023-01]: never materialized → run", "step2[2023-01]: never materialized → run"])
    expect([await count("step1"), await count("step2")]).toEqual([1, 1])

    const quiet = await tick()
    expect(quiet.runIds).toEqual([])
    expect(quiet.decisions.map(describeDecision)).toEqual(["step1[2023-01]: fresh → skip", "step2[2023-01]: fresh → skip"])

    await p.run(landTick("2023-01", ["a", "bb", "ccc"]))
    const changed = await tick()
    expect(changed.runIds).toHaveLength(1)
    expect(changed.decisions.map(describeDecision)).toEqual([
      expect.stringMatching(/^step1\[2023-01\]: source ticks\[2023-01\] changed \(observed \w+, read \w+\) → run$/),
      "step2[2023-01]: input step1[2023-01] runs this tick → run"
    ])
    expect([await count("step1"), await count("step2")]).toEqual([2, 2])
    expect((await tick()).runIds).toEqual([])
    expect([await count("step1"), await count("step2")]).toEqual([2, 2])

    // every tick is in the store, newest first, with its decisions; --asset keeps that asset's
    const ticks = await p.run(Effect.flatMap(TickStore, (s) => s.ticks({ limit: 10 })))
    expect(ticks).toHaveLength(4)
    expect(ticks.slice(1).map((t) => t.id)).toEqual([changed.id, quiet.id, first.id])
    expect(ticks.every((t) => t.decisions.length === 2 && t.decisions.every((d) => d.reason.length > 0))).toBe(true)
    const forStep2 = await p.run(Effect.flatMap(TickStore, (s) => s.ticks({ asset: "step2", limit: 10 })))
    expect(forStep2.every((t) => t.decisions.every((d) => d.asset === "step2"))).toBe(true)
  })

  it("never launches a partition that is already running: it says so, and what reads it waits", async () => {
    const { p, tick, count } = await withDaemon(eagerChain())
    await p.run(landTick("2023-02", ["a"]))
    const other = "elsewhere:1:r-other"
    expect(await p.run(Effect.flatMap(LeaseStore, (l) => l.acquire("step1", "2023-02", other, 60_000)))).toBe(true)
    const busy = await tick()
    expect(busy.runIds).toEqual([])
    expect(busy.decisions.map(describeDecision)).toEqual([
      `step1[2023-02]: never materialized, but it is being materialized (${other}) → running`,
      `step2[2023-02]: waits: input step1[2023-02] is being materialized (${other}) → wait`
    ])
    expect(await count("step1")).toBe(0)
    await p.run(Effect.flatMap(LeaseStore, (l) => l.release("step1", "2023-02", other)))
    expect((await tick()).runIds).toHaveLength(1)
    expect([await count("step1"), await count("step2")]).toEqual([1, 1])
  })

  it("ignoring(input): new data there alone does not run it", async () => {
    const assets = chain(2).map((a) => (a._tag !== "Asset" ? a : a.key === "step2" ? { ...a, automation: ignoring(eager(), "step1") } : { ...a, automation: eager() }))
    const { p, tick, count } = await withDaemon(assets)
    await p.run(landTick("2023-03", ["a"]))
    await tick()
    expect([await count("step1"), await count("step2")]).toEqual([1, 1])
    await p.run(landTick("2023-03", ["a", "b"]))
    const t = await tick()
    expect(t.decisions.map(describeDecision)).toContain("step2[2023-03]: no new data in its inputs (input step1[2023-03] is stale) → skip")
    expect([await count("step1"), await count("step2")]).toEqual([2, 1])
  })
})

describe("a tick's time", () => {
  // a source whose observation takes 2 s: a tick's evaluation waits for it
  const slow = defineSource({ key: "slow", observe: Effect.as(Effect.sleep("2 seconds"), { _tag: "Whole" as const, dataVersion: "v1" }) })
  const reader = defineAsset({ key: "reader", deps: { slow }, schema: Schema.Struct({ n: Column.int }), sql: () => "SELECT 1 AS n", automation: eager() })

  it("a tick over its budget stops, recorded TIMED_OUT; one interrupted is recorded CANCELED; neither launches, both free the tick lease", async () => {
    const p = testProject({ assets: [slow, reader] })
    const scope = await p.runtime.runPromise(Scope.make())
    disposers.push(async () => {
      await p.runtime.runPromise(Scope.close(scope, Exit.void))
      await p.dispose()
    })
    const make = (budget: Duration.Duration) => p.runtime.runPromise(Effect.provideService(makeDaemon({ budget, concurrency: 1 }), Scope.Scope, scope))
    const tickLease = () => p.run(Effect.flatMap(LeaseStore, (l) => l.current("_automation", "tick")))

    const hurried = await make(Duration.millis(200))
    const timedOut = await p.run(hurried.tick)
    expect(timedOut.status).toBe("TIMED_OUT")
    expect(timedOut.message).toMatch(/took longer than its budget \(200ms\)/)
    expect(timedOut.runIds).toEqual([])
    expect(await tickLease()).toBeUndefined()

    const patient = await make(Duration.seconds(30))
    const fiber = p.runtime.runFork(patient.tick)
    await new Promise((r) => setTimeout(r, 300))
    await p.runtime.runPromise(Fiber.interrupt(fiber))
    const [canceled] = await p.run(Effect.flatMap(TickStore, (s) => s.ticks({ limit: 1 })))
    expect(canceled!.status).toBe("CANCELED")
    expect(await tickLease()).toBeUndefined()

    const done = await p.run(patient.tick)
    expect(done.decisions.map(describeDecision)).toEqual(["reader: never materialized → run"])
  })
})

describe("a freshness policy", () => {
  it("makes an asset overdue when it is not fresh and its newest data is older than maxLag; a fresh one never is", async () => {
    const assets = chain(1).map((a) => (a._tag === "Asset" ? { ...a, freshness: freshnessPolicy(a.key, { maxLag: "15m" }) } : a))
    const p = testProject({ assets })
    disposers.push(() => p.dispose())
    await p.run(landTick("2023-04", ["a"]))
    expect(freshnessOf(await p.resolver(), "step1" as never)).toMatchObject({ maxLag: "15m", newestAt: null, lagMs: null, overdue: true })
    await p.materialize("step1")
    const fresh = await p.resolver()
    const at = Date.parse(freshnessOf(fresh, "step1" as never)!.newestAt!)
    expect(freshnessOf(fresh, "step1" as never, at + 3_600_000)).toMatchObject({ lagMs: 0, overdue: false })
    await p.run(landTick("2023-04", ["a", "b"]))
    const stale = await p.resolver()
    expect(freshnessOf(stale, "step1" as never, at + 60_000)).toMatchObject({ lagMs: 60_000, overdue: false })
    const late = freshnessOf(stale, "step1" as never, at + 3_600_000)!
    expect(late).toMatchObject({ lagMs: 3_600_000, overdue: true })
    expect(describeFreshness(late)).toBe("overdue: its newest data is 1h old, 15m allowed")
  })
})

describe("a cron condition", () => {
  const one = defineAsset({ key: "daily_report", schema: Schema.Struct({ n: Column.int }), sql: () => "SELECT 1 AS n", automation: onCron("0 6 * * *", { timezone: "Europe/Paris" }) })
  const missing = defineAsset({ key: "seed_table", schema: Schema.Struct({ n: Column.int }), sql: () => "SELECT 2 AS n", automation: onMissing() })

  effectIt.scoped("fires at its time in its time zone (a TestClock), once; onMissing fires on the first tick", () =>
    Effect.gen(function* () {
      const dir = tempDir("assets-cron-")
      const graph = buildGraph([one, missing])
      const layer = Layer.mergeAll(
        DuckDBEngine.layer.pipe(Layer.provide(DuckDB.layer({ threads: 1 }))),
        SqliteEventStore.layer(join(dir, "state", "events.sqlite")),
        Layer.succeed(Project, { name: "cron", graph })
      ).pipe(Layer.provideMerge(LocalLake.layer(join(dir, "lake"))))
      const context = yield* Layer.build(layer)
      const run = <A, E>(e: Effect.Effect<A, E, any>) => Effect.provide(e, context) as Effect.Effect<A, E>
      const daemon = yield* run(makeDaemon({ budget: Duration.seconds(30), concurrency: 1 }))
      const tick = Effect.gen(function* () {
        const t = yield* run(daemon.tick)
        yield* FiberSet.awaitEmpty(daemon.runs)
        return t.decisions.map(describeDecision)
      })
      const count = (asset: string) => run(Effect.flatMap(EventStore, (s) => s.materializations({ asset: asset as never, limit: 10 }))).pipe(Effect.map((ms) => ms.length))

      // 05:59 in Paris (04:59 UTC): not yet; what was never materialized runs on the first tick
      yield* TestClock.setTime(Date.UTC(2026, 11, 7, 4, 59, 0))
      expect(yield* tick).toEqual(["daily_report: cron 0 6 * * * (Europe/Paris) next at 2026-12-07T05:00:00.000Z → skip", "seed_table: never materialized → run"])
      expect(yield* count("daily_report")).toBe(0)
      // 06:00:30 in Paris: the 06:00 time passed since the previous tick
      yield* TestClock.setTime(Date.UTC(2026, 11, 7, 5, 0, 30))
      expect(yield* tick).toEqual(["daily_report: cron 0 6 * * * (Europe/Paris) passed at 2026-12-07T05:00:00.000Z and it is missing → run", "seed_table: materialized → skip"])
      expect(yield* count("daily_report")).toBe(1)
      // 06:10: no time passed since 06:00:30
      yield* TestClock.setTime(Date.UTC(2026, 11, 7, 5, 10, 0))
      expect((yield* tick)[0]).toBe("daily_report: cron 0 6 * * * (Europe/Paris) next at 2026-12-08T05:00:00.000Z → skip")
      expect(yield* count("daily_report")).toBe(1)
    })
  )
})
