import { Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { BackfillStore } from "../runtime/backfill/BackfillStore.js"
import type { BackfillTask } from "../runtime/backfill/records.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { newId } from "../runtime/events/ids.js"
import type { RunEvent } from "../runtime/events/records.js"
import { LeaseStore } from "../runtime/lease/LeaseStore.js"
import { storeBackends } from "./support/storeBackends.js"
import { chain, landTick } from "./support/synthetic.js"
import { testProject } from "./support/testProject.js"

/**
 * What a run writes a few at a time (issue 19): backfill claims and ends, lease releases, and step starts, which are
 * written with the step's end unless the step is still running at the next flush.
 */

const backends = await storeBackends("assets_batches_test")

for (const backend of backends) {
  describe.skipIf(backend.skip)(`${backend.name}: batched claims, ends and releases`, () => {
    const opened = backend.skip ? undefined : backend.open()
    const runtime = ManagedRuntime.make(Layer.unwrapEffect(Effect.promise(async () => (await opened!).layer)))
    afterAll(async () => {
      await runtime.dispose()
      await (await opened!).close()
    })
    const backfills = <A, E>(f: (b: BackfillStore["Type"]) => Effect.Effect<A, E>) => runtime.runPromise(Effect.flatMap(BackfillStore, f))
    const leases = <A, E>(f: (l: LeaseStore["Type"]) => Effect.Effect<A, E>) => runtime.runPromise(Effect.flatMap(LeaseStore, f))

    const aBackfill = async (count: number) => {
      const now = new Date().toISOString()
      const id = newId("b")
      const tasks = Array.from(
        { length: count },
        (_, seq): BackfillTask => ({
          backfillId: id, taskId: `t${seq}`, seq, asset: "a", partition: `2023-0${seq + 1}`, dependsOn: [], state: "pending", attempts: 0,
          worker: null, leaseExpiresAt: null, startedAt: null, endedAt: null, message: ""
        })
      )
      await backfills((b) => b.create({ id, selection: "a", from: "2023-01", to: "2023-04", force: false, status: "RUNNING", createdAt: now, updatedAt: now, heartbeatAt: null }, tasks))
      return { id, open: await backfills((b) => b.open(id, 10, 0)) }
    }

    it("claims several tasks in one statement and says which it got; a task another worker took is not among them", async () => {
      const { id, open } = await aBackfill(4)
      expect(await backfills((b) => b.claim(open[1]!, "w2", Date.now() + 60_000))).toBe(true)
      const got = await backfills((b) => b.claimAll(open.slice(0, 3), "w1", Date.now() + 60_000))
      expect([...got].sort()).toEqual(["t0", "t2"])
      const tasks = await backfills((b) => b.tasks(id))
      expect(tasks.map((t) => `${t.taskId} ${t.state} ${t.worker ?? ""} ${t.attempts}`)).toEqual(["t0 running w1 1", "t1 running w2 1", "t2 running w1 1", "t3 pending  0"])
      // all of them as seen: one statement, all taken
      expect(await backfills((b) => b.claimAll(open.slice(3), "w1", Date.now() + 60_000))).toEqual(["t3"])
    })

    it("claims nothing once a cancel is stored", async () => {
      const { id, open } = await aBackfill(3)
      expect(await backfills((b) => b.setStatus(id, "CANCELED", ["RUNNING"]))).toBe(true)
      expect(await backfills((b) => b.claimAll(open, "w1", Date.now() + 60_000))).toEqual([])
    })

    it("ends several tasks in one statement, each with its own state, message and time; only the worker's running ones", async () => {
      const { id, open } = await aBackfill(4)
      await backfills((b) => b.claimAll(open.slice(0, 3), "w1", Date.now() + 60_000))
      await backfills((b) => b.claim(open[3]!, "w2", Date.now() + 60_000))
      await backfills((b) =>
        b.finishAll(id, "w1", [
          { taskId: "t0", state: "succeeded", message: "1 rows, data version x", endedAt: "2024-01-01T00:00:01.000Z" },
          { taskId: "t1", state: "failed", message: "it's 'quoted', ünïcode ✗", endedAt: "2024-01-01T00:00:02.000Z" },
          { taskId: "t3", state: "succeeded", message: "not w1's", endedAt: "2024-01-01T00:00:03.000Z" }
        ])
      )
      const tasks = await backfills((b) => b.tasks(id))
      expect(tasks.map((t) => [t.taskId, t.state, t.message, t.endedAt, t.leaseExpiresAt === null])).toEqual([
        ["t0", "succeeded", "1 rows, data version x", "2024-01-01T00:00:01.000Z", true],
        ["t1", "failed", "it's 'quoted', ünïcode ✗", "2024-01-01T00:00:02.000Z", true],
        ["t2", "running", "", null, false],
        ["t3", "running", "", null, false]
      ])
      expect(await backfills((b) => b.failedAmong(id, ["t0", "t1", "t2"]))).toEqual(["t1"])
    })

    it("releases many of a holder's leases in one statement, and none of another holder's", async () => {
      const asset = `batched_${Math.random().toString(36).slice(2, 8)}`
      for (const p of ["2023-01", "2023-02"]) expect(await leases((l) => l.acquire(asset, p, "A", 60_000))).toBe(true)
      expect(await leases((l) => l.acquire(asset, null, "A", 60_000))).toBe(true)
      expect(await leases((l) => l.acquire(asset, "2023-03", "B", 60_000))).toBe(true)
      await leases((l) =>
        l.releaseAll("A", [
          { asset, partition: "2023-01" },
          { asset, partition: null },
          { asset, partition: "2023-03" }
        ])
      )
      expect((await leases((l) => l.live([asset]))).map((x) => `${x.partition} ${x.holder}`).sort()).toEqual(["2023-02 A", "2023-03 B"])
      await leases((l) => l.releaseAll("A", []))
    })
  })
}

describe("step starts", () => {
  const stepsOf = (events: ReadonlyArray<RunEvent>) => {
    const by = new Map<string, Array<string>>()
    for (const e of events) if (e.asset !== null) by.set(`${e.asset}[${e.partition ?? ""}]`, [...(by.get(`${e.asset}[${e.partition ?? ""}]`) ?? []), e.type])
    return by
  }

  it("each step's start is stored once, before its end, whether it ran quickly or long", async () => {
    const p = testProject({ assets: chain(2) })
    try {
      for (const m of ["2023-01", "2023-02", "2023-03"]) await p.run(landTick(m, ["a", "bb"]))
      const result = await p.materialize("step2")
      const events = await p.run(Effect.flatMap(EventStore, (s) => s.runEvents(result.runId)))
      const steps = stepsOf(events)
      expect(steps.size).toBe(6)
      for (const [, types] of steps) expect(types).toEqual(["STEP_START", "STEP_SUCCESS"])
    } finally {
      await p.dispose()
    }
  })

  it("a long step's start is seen while it runs, and a failed step has its start before its failure", async () => {
    const p = testProject({ assets: chain(1, { delayMs: 1500 }) })
    try {
      await p.run(landTick("2023-01", ["a"]))
      await p.run(landTick("2023-02", ["POISON"]))
      const running = p.materialize("step1", { runId: "r-long-step" })
      let seen: ReadonlyArray<RunEvent> = []
      for (let i = 0; i < 40 && seen.filter((e) => e.type === "STEP_START").length < 2; i++) {
        await new Promise((r) => setTimeout(r, 50))
        seen = await p.run(Effect.flatMap(EventStore, (s) => s.runEvents("r-long-step")))
      }
      // both started and neither ended yet: their starts were flushed while they ran
      expect(seen.filter((e) => e.type === "STEP_START").length).toBe(2)
      expect(seen.some((e) => e.type === "STEP_SUCCESS" || e.type === "STEP_FAILURE")).toBe(false)
      await running
      const steps = stepsOf(await p.run(Effect.flatMap(EventStore, (s) => s.runEvents("r-long-step"))))
      expect(steps.get("step1[2023-01]")).toEqual(["STEP_START", "STEP_SUCCESS"])
      expect(steps.get("step1[2023-02]")).toEqual(["STEP_START", "STEP_FAILURE"])
      // and its lease was given back when the run ended
      expect(await p.run(Effect.flatMap(LeaseStore, (l) => l.live(["step1" as AssetKey])))).toEqual([])
    } finally {
      await p.dispose()
    }
  })
})
