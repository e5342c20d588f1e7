import { spawn, spawnSync } from "node:child_process"
import { resolve } from "node:path"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { BackfillStore } from "../runtime/backfill/BackfillStore.js"
import { createBackfill } from "../runtime/backfill/createBackfill.js"
import { resumeBackfill } from "../runtime/backfill/resumeBackfill.js"
import { runBackfill } from "../runtime/backfill/runBackfill.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { LeaseStore } from "../runtime/lease/LeaseStore.js"
import type { Materialization } from "../runtime/events/records.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { monthRange } from "../assets/generated/simulateStreams.js"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { loadState } from "../runtime/execute/materialize.js"
import { StatusResolver } from "../runtime/status/StatusResolver.js"
import { loadRunStates, summarize } from "../runtime/status/summary.js"
import { chain, landTick } from "./support/synthetic.js"
import { tempDir, testProject, type TestProject } from "./support/testProject.js"

const bin = resolve("bin/assets.js")
const year = monthRange("2023-01", "2023-12")
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Every materialization ever recorded, grouped by asset partition. */
const allMaterializations = (p: TestProject, assets: ReadonlyArray<string>) =>
  p.run(
    Effect.gen(function* () {
      const store = yield* EventStore
      const out = new Map<string, Array<Materialization>>()
      for (const a of assets) {
        for (const m of yield* store.materializations({ asset: a as never, limit: 10_000 })) {
          const k = `${m.asset}[${m.partition}]`
          out.set(k, [...(out.get(k) ?? []), m])
        }
      }
      return out
    })
  )

let project: TestProject | undefined
afterEach(async () => {
  await project?.dispose()
  project = undefined
})

const january = { from: "2023-01" as PartitionKey, to: "2023-01" as PartitionKey }

/** A project of one month whose task takes 2.5 s, run with leases that last 1 s unless renewed. */
const withOneLongTask = async (f: (p: TestProject) => Promise<void>) => {
  const lifetime = process.env["ASSETS_LEASE_SECONDS"]
  process.env["ASSETS_LEASE_SECONDS"] = "1"
  try {
    const p = (project = testProject({ assets: chain(1, { delayMs: 2500 }) }))
    await p.run(landTick("2023-01", ["a"]))
    await f(p)
  } finally {
    if (lifetime === undefined) delete process.env["ASSETS_LEASE_SECONDS"]
    else process.env["ASSETS_LEASE_SECONDS"] = lifetime
  }
}

const anotherRunnerTakesTheLease = (p: TestProject) =>
  p.run(Effect.flatMap(LeaseStore, (l) => l.acquire("step1", "2023-01", "another runner", 1000)))

describe("backfills", () => {
  it("fails only the poisoned month and its downstream; resume runs exactly the failed and abandoned tasks", async () => {
    const p = (project = testProject({ assets: chain(3) }))
    for (const m of year) await p.run(landTick(m, m === "2023-05" ? ["a", "POISON"] : ["a", "bb"]))
    const created = await p.run(createBackfill({ selection: "step3", range: { from: "2023-01" as PartitionKey, to: "2023-12" as PartitionKey }, force: false }))
    expect(created.tasks.length).toBe(36)
    // dependency order: each month's step1 before its step2 before its step3
    const seq = new Map(created.tasks.map((t) => [t.taskId, t.seq]))
    for (const m of year) expect(seq.get(`step1[${m}]`)!).toBeLessThan(seq.get(`step2[${m}]`)!)

    const first = await p.run(runBackfill({ backfillId: created.backfill.id, concurrency: 3 }))
    expect(first).toMatchObject({ done: 33, failed: 3, remaining: 0 })
    const tasks = await p.run(Effect.flatMap(BackfillStore, (s) => s.tasks(created.backfill.id)))
    const notDone = tasks.filter((t) => t.state !== "succeeded").map((t) => `${t.taskId} ${t.state}`)
    expect(notDone.sort()).toEqual(["step1[2023-05] failed", "step2[2023-05] abandoned", "step3[2023-05] abandoned"])
    expect(tasks.find((t) => t.taskId === "step1[2023-05]")!.message).toContain("poisoned input line")
    expect((await p.run(Effect.flatMap(BackfillStore, (s) => s.get(created.backfill.id))))!.status).toBe("FAILED")

    // per-partition status: the poisoned month is FAILED (not merely missing), the others materialized and fresh
    const failedStatus = await p.run(Effect.flatMap(loadRunStates(["step1" as AssetKey]), (runs) => Effect.map(loadState(p.graph, ["step1" as AssetKey]), (state) => summarize(new StatusResolver(p.graph, state), "step1" as AssetKey, runs))))
    expect(failedStatus.counts).toMatchObject({ FRESH: 11, MISSING: 0, FAILED: 1, RUNNING: 0 })
    expect(failedStatus.partitions.filter((x) => x.run === "FAILED").map((x) => x.partition)).toEqual(["2023-05"])

    await p.run(landTick("2023-05", ["a", "fixed"]))
    const before = await allMaterializations(p, ["step1", "step2", "step3"])
    const { reset } = await p.run(resumeBackfill(created.backfill.id))
    expect(reset).toBe(3)
    const second = await p.run(runBackfill({ backfillId: created.backfill.id, concurrency: 3 }))
    expect(second).toMatchObject({ done: 36, failed: 0, remaining: 0, claimed: 3 })
    const after = await allMaterializations(p, ["step1", "step2", "step3"])
    const added = [...after].filter(([k, ms]) => ms.length !== (before.get(k)?.length ?? 0)).map(([k]) => k)
    expect(added.sort()).toEqual(["step1[2023-05]", "step2[2023-05]", "step3[2023-05]"])
    for (const ms of after.values()) expect(ms.length).toBe(1)
    const fixedStatus = await p.run(Effect.flatMap(loadRunStates(["step1" as AssetKey]), (runs) => Effect.map(loadState(p.graph, ["step1" as AssetKey]), (state) => summarize(new StatusResolver(p.graph, state), "step1" as AssetKey, runs))))
    expect(fixedStatus.counts).toMatchObject({ FRESH: 12, FAILED: 0 })
  })

  it("a backfill killed with SIGKILL resumes to completion with every partition materialized exactly once", async () => {
    const dir = tempDir()
    const env = { ...process.env, SYNTH_DIR: dir, SYNTH_DELAY_MS: "150", ASSETS_CONFIG: resolve("tests/fixtures/synthetic.config.ts"), ASSETS_LEASE_SECONDS: "2" }
    const p = (project = testProject({ assets: chain(2), dir }))
    for (const m of year) await p.run(landTick(m, ["a"]))
    await p.runtime.dispose()

    const child = spawn(process.execPath, [bin, "backfill", "step2", "--from", "2023-01", "--to", "2023-12", "--concurrency", "2"], { env, stdio: "pipe" })
    const q = testProject({ assets: chain(2), dir })
    try {
      // kill once some work is recorded and some is not
      for (let recorded = 0; recorded < 5; await sleep(100)) {
        recorded = [...(await allMaterializations(q, ["step1", "step2"])).values()].length
      }
      child.kill("SIGKILL")
      await new Promise((r) => child.once("exit", r))
      const [backfill] = await q.run(Effect.flatMap(BackfillStore, (s) => s.list(1)))
      const tasks = await q.run(Effect.flatMap(BackfillStore, (s) => s.tasks(backfill!.id)))
      expect(tasks.some((t) => t.state === "pending" || t.state === "running")).toBe(true)

      const resumed = spawnSync(process.execPath, [bin, "backfill", "resume", backfill!.id, "--json"], { env, encoding: "utf8" })
      expect(resumed.status, resumed.stderr).toBe(0)
      expect(JSON.parse(resumed.stdout.slice(resumed.stdout.indexOf("{")))).toMatchObject({ done: 24, failed: 0, remaining: 0, status: "COMPLETED" })
      const all = await allMaterializations(q, ["step1", "step2"])
      expect(all.size).toBe(24)
      for (const [k, ms] of all) expect(ms.length, k).toBe(1)
    } finally {
      await q.dispose()
    }
  })

  it("a loop with nothing to claim wakes when a task of its worker ends, not a poll interval later", async () => {
    const p = (project = testProject({ assets: chain(3) }))
    const months = year.slice(0, 3)
    for (const m of months) await p.run(landTick(m, ["a"]))
    const created = await p.run(createBackfill({ selection: "step3", range: { from: "2023-01" as PartitionKey, to: "2023-03" as PartitionKey }, force: false }))
    // more loops than ready tasks: the spare loops wait from the start, and each month's later steps become ready
    // only as its earlier ones end. Woken by poll alone, this run would take ten minutes per wait.
    const ran = await p.run(runBackfill({ backfillId: created.backfill.id, concurrency: 4, pollMs: 600_000 }))
    expect(ran).toMatchObject({ done: 9, failed: 0, remaining: 0, claimed: 9 })
  }, 60_000)

  it("keeps a long task's lease alive: a second runner does not take a task that outlives the lease's lifetime", () =>
    withOneLongTask(async (p) => {
      const created = await p.run(createBackfill({ selection: "step1", range: january, force: false }))
      const first = p.run(runBackfill({ backfillId: created.backfill.id, concurrency: 1 }))
      // past the lease's lifetime, while the task still runs: another runner looks for work
      await sleep(1800)
      // the asset partition's lease is alive too: no other runner may materialize it meanwhile
      expect(await anotherRunnerTakesTheLease(p)).toBe(false)
      const second = await p.run(runBackfill({ backfillId: created.backfill.id, concurrency: 1, pollMs: 100 }))
      expect(second.claimed).toBe(0)
      expect(await first).toMatchObject({ done: 1, failed: 0, claimed: 1 })
      expect((await allMaterializations(p, ["step1"])).get("step1[2023-01]")!.length).toBe(1)
    }))

  it("keeps a long materialization's lease alive: no other runner takes the asset partition while it runs", () =>
    withOneLongTask(async (p) => {
      const running = p.materialize("step1", { range: january })
      // past the lease's lifetime, while the task still runs
      await sleep(1800)
      expect(await anotherRunnerTakesTheLease(p)).toBe(false)
      expect((await running).status).toBe("SUCCESS")
      // released at the end
      expect(await p.run(Effect.flatMap(LeaseStore, (l) => l.current("step1", "2023-01")))).toBeUndefined()
    }))

  it("two overlapping materialize processes never run the same asset partition at the same time", async () => {
    const dir = tempDir()
    const env = { ...process.env, SYNTH_DIR: dir, SYNTH_DELAY_MS: "1500", ASSETS_CONFIG: resolve("tests/fixtures/synthetic.config.ts") }
    const p = (project = testProject({ assets: chain(1), dir }))
    const months = monthRange("2023-01", "2023-04")
    for (const m of months) await p.run(landTick(m, ["a"]))
    const run = () =>
      new Promise<string>((done) => {
        const c = spawn(process.execPath, [bin, "materialize", "step1", "--force", "--concurrency", "2"], { env, stdio: "pipe" })
        let out = ""
        c.stdout.on("data", (d: Buffer) => (out += d.toString()))
        c.stderr.on("data", (d: Buffer) => (out += d.toString()))
        c.once("exit", () => done(out))
      })
    const outputs = await Promise.all([run(), run()])
    const all = await allMaterializations(p, ["step1"])
    expect(all.size).toBe(4)
    for (const [k, ms] of all) {
      // what both processes printed, for when this fails
      expect(ms.length, `${k}\n${outputs.join("\n---\n")}`).toBe(2)
      const [a, b] = [...ms].sort((x, y) => x.startedAt.localeCompare(y.startedAt))
      expect(a!.endedAt <= b!.startedAt, `${k}: ${a!.startedAt}..${a!.endedAt} overlaps ${b!.startedAt}..${b!.endedAt}`).toBe(true)
    }
    expect(outputs.join("\n")).toMatch(/waiting: another runner/)
  })
})
