import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { existsSync, readdirSync, rmSync } from "node:fs"
import { join, relative, resolve } from "node:path"
import Database from "better-sqlite3"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { BackfillStore } from "../runtime/backfill/BackfillStore.js"
import { EventStore } from "../runtime/events/EventStore.js"
import type { Materialization } from "../runtime/events/records.js"
import { outputsOf } from "../runtime/execute/outputs.js"
import { recordAgreement } from "./support/recordAgreement.js"
import { chain } from "./support/synthetic.js"
import { tempDir, testProject, type TestProject } from "./support/testProject.js"
import { writeTicks } from "./support/ticks.js"

const bin = resolve("bin/assets.js")
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const months = ["2023-01", "2023-02", "2023-03", "2023-04", "2023-05", "2023-06"]

/** The synthetic chain ticks -> step1 -> step2 (tests/fixtures/synthetic.config.ts), run as the CLI in child processes. */
const synthetic = (dir: string, extra: Record<string, string> = {}) => ({
  ...process.env,
  SYNTH_DIR: dir,
  ASSETS_CONFIG: resolve("tests/fixtures/synthetic.config.ts"),
  ASSETS_LEASE_SECONDS: "2",
  ...extra
})

const cli = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [bin, ...args], { env, encoding: "utf8" })
const start = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv) => {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: "pipe" })
  let out = ""
  child.stdout.on("data", (d: Buffer) => (out += d.toString()))
  child.stderr.on("data", (d: Buffer) => (out += d.toString()))
  return { child, output: () => out }
}
const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) => (child.exitCode !== null || child.signalCode !== null ? r(child.exitCode) : child.once("exit", (code) => r(code))))
const until = async (what: string, check: () => Promise<boolean> | boolean, ms = 60_000) => {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await sleep(50)) if (await check()) return
  throw new Error(`timed out waiting for ${what}`)
}

/** Runs left in the staging folder (the temporary-write folder is the lake's own). */
/** every version file of the lake (kept beside its stable path as `.<name>~<version>`), relative to the lake */
const versionFiles = (dir: string) =>
  readdirSync(join(dir, "lake"), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.startsWith(".") && e.name.includes("~"))
    .map((e) => relative(join(dir, "lake"), join(e.parentPath, e.name)))
const staging = (dir: string) => (existsSync(join(dir, "lake", ".staging")) ? readdirSync(join(dir, "lake", ".staging")).filter((d) => d !== "_writes") : [])

let opened: Array<TestProject> = []
const store = (dir: string) => {
  const p = testProject({ assets: chain(2), dir })
  opened.push(p)
  return p
}
afterEach(async () => {
  for (const p of opened) await p.dispose(false)
  opened = []
})

const agreement = (p: TestProject) => p.run(recordAgreement(p.graph, ["landing/ticks/"]))
const materializations = (p: TestProject, asset: string) =>
  p.run(Effect.flatMap(EventStore, (s) => s.materializations({ asset: asset as never, limit: 1000 }))) as Promise<ReadonlyArray<Materialization>>

describe("the record always matches the data", () => {
  for (const point of ["after-persist", "after-record", "after-publish"] as const) {
    it(`a SIGKILL ${point.replace("-", " ")} leaves record and data in agreement; the next run completes and publishes`, async () => {
      const dir = tempDir()
      writeTicks(dir, months.slice(0, 2), ["a", "bb"])
      expect(cli(["materialize", "step2"], synthetic(dir)).status).toBe(0)
      // new data for February: its second output is where the process dies
      writeTicks(dir, ["2023-02"], ["a", "bb", "ccc"])
      const killed = cli(["materialize", "step2"], synthetic(dir, { ASSETS_CRASH_POINT: `${point}:2` }))
      expect(killed.signal).toBe("SIGKILL")

      const p = store(dir)
      const after = await agreement(p)
      expect(after.problems).toEqual([])
      expect(after.checked).toBe(4)
      const unpublished = await p.run(Effect.flatMap(EventStore, (s) => s.unpublished))
      // a run marks what it published with its periodic flush (runWrites.ts): step1's record, published before the
      // kill, may still be unmarked, and step2's is unless the kill came before its record
      const unmarked = unpublished.map((m) => `${m.asset}[${m.partition}]`).filter((s) => s !== "step1[2023-02]")
      expect(unmarked).toEqual(point === "after-persist" ? [] : ["step2[2023-02]"])
      await p.runtime.dispose()

      // with no retention, whatever the dead run left that no record names goes at once
      const again = cli(["materialize", "step2", "--json"], synthetic(dir, { ASSETS_LAKE_RETENTION: "0 millis" }))
      expect(again.status, again.stderr).toBe(0)
      const q = store(dir)
      expect((await agreement(q)).problems).toEqual([])
      const recorded = new Set(
        [...(await materializations(q, "step1")), ...(await materializations(q, "step2"))].flatMap((m) => outputsOf(m).map((o) => o.location))
      )
      const versions = versionFiles(dir)
      expect(versions.length).toBeGreaterThan(0)
      expect(versions.filter((v) => !recorded.has(v))).toEqual([])
      expect(await q.run(Effect.flatMap(EventStore, (s) => s.unpublished))).toEqual([])
      expect(staging(dir)).toEqual([])
      // the run that died recorded step1[2023-02] (and, past the record, step2[2023-02]): nothing is done twice
      const step2 = await materializations(q, "step2")
      expect(step2.filter((m) => m.partition === "2023-02").length).toBe(2)
      expect((await q.status("step2", "2023-02")).status).toBe("FRESH")
    })
  }

  it("a run right after a killed one takes over the dead runner's leases at once: it publishes the dead run's record without waiting", async () => {
    const dir = tempDir()
    writeTicks(dir, months.slice(0, 1), ["a", "bb"])
    const longLeases = synthetic(dir, { ASSETS_LEASE_SECONDS: "30" })
    expect(cli(["materialize", "step2"], longLeases).status).toBe(0)
    writeTicks(dir, ["2023-01"], ["a", "bb", "ccc"])
    expect(cli(["materialize", "step2"], { ...longLeases, ASSETS_CRASH_POINT: "after-record:1" }).signal).toBe("SIGKILL")
    const again = cli(["materialize", "step2"], longLeases)
    expect(again.status, again.stderr).toBe(0)
    expect(again.stdout).not.toContain("waiting: another runner")
    const p = store(dir)
    expect(await p.run(Effect.flatMap(EventStore, (s) => s.unpublished))).toEqual([])
    expect((await agreement(p)).problems).toEqual([])
  })

  it("a killed run whose appended landing file is then deleted: the status follows the record, which follows the data", async () => {
    const dir = tempDir()
    writeTicks(dir, months.slice(0, 1), ["a", "bb"])
    expect(cli(["materialize", "step1"], synthetic(dir)).status).toBe(0)
    // append a file, die once its output is recorded but before the stable path shows it, then take the file back
    writeTicks(dir, ["2023-01"], Array.from({ length: 5000 }, (_, i) => `x${i}`), "appended.jsonl")
    expect(cli(["materialize", "step1"], synthetic(dir, { ASSETS_CRASH_POINT: "after-record" })).signal).toBe("SIGKILL")
    rmSync(join(dir, "lake", "landing", "ticks", "2023-01", "appended.jsonl"))

    const p = store(dir)
    // the record names the 5,002 rows it read: with the file gone that is stale, not fresh
    const status = await p.status("step1", "2023-01")
    expect(status.status).toBe("STALE")
    expect(status.causes.map((c) => c._tag)).toContain("InputChanged")
    expect((await materializations(p, "step1"))[0]!.rowCount).toBe(5002)
    expect((await agreement(p)).problems).toEqual([])
    await p.runtime.dispose()

    expect(cli(["materialize", "step1"], synthetic(dir)).status).toBe(0)
    const q = store(dir)
    expect((await q.status("step1", "2023-01")).status).toBe("FRESH")
    expect((await materializations(q, "step1"))[0]!.rowCount).toBe(2)
    expect((await agreement(q)).problems).toEqual([])
  })

  it("a record that fails (another process holds the SQLite write lock) publishes nothing and keeps no version", async () => {
    const dir = tempDir()
    writeTicks(dir, months.slice(0, 1), ["a", "bb"])
    expect(cli(["materialize", "step1"], synthetic(dir)).status).toBe(0)
    writeTicks(dir, ["2023-01"], ["a", "bb", "ccc"])
    const run = start(["materialize", "step1"], synthetic(dir, { SYNTH_DELAY_MS: "1500" }))
    const db = new Database(join(dir, "state", "events.sqlite"))
    try {
      // once the step is under way, hold the write lock past the store's busy timeout (5 s)
      const started = () => (db.prepare("SELECT count(*) AS n FROM run_events WHERE type = 'STEP_START'").get() as { n: number }).n
      await until("the step to start", () => started() >= 2)
      db.exec("BEGIN EXCLUSIVE")
      await until("the record to fail", () => run.output().includes("was not published"))
      db.exec("ROLLBACK")
      expect(await exited(run.child)).toBe(1)
    } finally {
      db.close()
    }
    expect(run.output()).toContain("the new output was not published: what was current before stays current")
    expect(run.output()).toContain("✗ step1[2023-01]")

    const p = store(dir)
    expect((await agreement(p)).problems).toEqual([])
    const [current] = await materializations(p, "step1")
    expect(current!.rowCount).toBe(2)
    // the failed attempt's version is gone: only the current one is kept
    const versions = versionFiles(dir)
    expect(versions.length).toBe(1)
  })
})

describe("signals", () => {
  it("SIGINT stops materialize within 5 s: exit 130, run CANCELED, no staging; the next run does only what is left", async () => {
    const dir = tempDir()
    writeTicks(dir, months.slice(0, 4), ["a", "bb"])
    const run = start(["materialize", "step2", "--concurrency", "2"], synthetic(dir, { SYNTH_DELAY_MS: "2000" }))
    await until("a first output", () => run.output().includes("✓ step1"))
    const t0 = Date.now()
    run.child.kill("SIGINT")
    expect(await exited(run.child)).toBe(130)
    const took = Date.now() - t0
    expect(took).toBeLessThan(5000)
    expect(run.output()).toMatch(/materialize canceled \(run r\w+\): \d+ materialized, \d+ not\. Run the same command again to continue/)
    expect(staging(dir)).toEqual([])

    const p = store(dir)
    const [r] = await p.run(Effect.flatMap(EventStore, (s) => s.runs({ limit: 1 })))
    expect(r!.status).toBe("CANCELED")
    const events = await p.run(Effect.flatMap(EventStore, (s) => s.runEvents(r!.id)))
    expect(events.some((e) => e.type === "STEP_CANCELED")).toBe(true)
    const before = (await materializations(p, "step1")).length + (await materializations(p, "step2")).length
    await p.runtime.dispose()

    const again = cli(["materialize", "step2", "--json"], synthetic(dir))
    expect(again.status).toBe(0)
    const q = store(dir)
    const all = [...(await materializations(q, "step1")), ...(await materializations(q, "step2"))]
    expect(all.length).toBe(8)
    expect(JSON.parse(again.stdout).outcomes.filter((o: { state: string }) => o.state === "succeeded").length).toBe(8 - before)
  })

  it("SIGINT stops a backfill within 5 s: exit 130, backfill CANCELED, no staging; resume materializes each partition once", async () => {
    const dir = tempDir()
    writeTicks(dir, months, ["a", "bb"])
    const run = start(["backfill", "step2", "--from", "2023-01", "--to", "2023-06", "--concurrency", "2"], synthetic(dir, { SYNTH_DELAY_MS: "1500" }))
    const p = store(dir)
    await until("a first task done", async () => (await materializations(p, "step1")).length > 0)
    const t0 = Date.now()
    run.child.kill("SIGINT")
    expect(await exited(run.child)).toBe(130)
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(run.output()).toMatch(/backfill (b\w+) canceled: \d+ done, 0 failed, \d+ not run\. `assets backfill resume \1` continues it/)
    expect(staging(dir)).toEqual([])
    const [b] = await p.run(Effect.flatMap(BackfillStore, (s) => s.list(1)))
    expect(b!.status).toBe("CANCELED")
    const tasks = await p.run(Effect.flatMap(BackfillStore, (s) => s.tasks(b!.id)))
    expect(tasks.filter((t) => t.state === "running")).toEqual([])
    const [r] = await p.run(Effect.flatMap(EventStore, (s) => s.runs({ limit: 1 })))
    expect(r!.status).toBe("CANCELED")

    const resumed = cli(["backfill", "resume", b!.id, "--json"], synthetic(dir))
    expect(resumed.status, resumed.stderr).toBe(0)
    expect(JSON.parse(resumed.stdout.slice(resumed.stdout.indexOf("{")))).toMatchObject({ done: 12, failed: 0, remaining: 0, status: "COMPLETED" })
    for (const asset of ["step1", "step2"]) {
      const ms = await materializations(p, asset)
      expect(ms.length).toBe(6)
      expect(new Set(ms.map((m) => m.partition)).size).toBe(6)
    }
  })
  it("SIGINT stops a worker: exit 130, its run CANCELED, its tasks pending again for the next worker", async () => {
    const dir = tempDir()
    writeTicks(dir, months.slice(0, 4), ["a"])
    const detached = cli(["backfill", "step2", "--from", "2023-01", "--to", "2023-04", "--detach", "--json"], synthetic(dir))
    const { id } = JSON.parse(detached.stdout) as { id: string }
    const worker = start(["worker"], synthetic(dir, { SYNTH_DELAY_MS: "1500" }))
    const p = store(dir)
    await until("a task under way", async () => (await p.run(Effect.flatMap(BackfillStore, (s) => s.tasks(id)))).some((t) => t.state === "running"))
    worker.child.kill("SIGINT")
    expect(await exited(worker.child)).toBe(130)
    expect(worker.output()).toContain("worker stopped: its unfinished tasks are pending again")
    const tasks = await p.run(Effect.flatMap(BackfillStore, (s) => s.tasks(id)))
    expect(tasks.filter((t) => t.state === "running")).toEqual([])
    const [r] = await p.run(Effect.flatMap(EventStore, (s) => s.runs({ limit: 1 })))
    expect(r).toMatchObject({ kind: "backfill", status: "CANCELED" })
    expect(staging(dir)).toEqual([])
    const next = cli(["worker", "--until-idle"], synthetic(dir))
    expect(next.status, next.stderr).toBe(0)
    expect((await p.run(Effect.flatMap(BackfillStore, (s) => s.get(id))))!.status).toBe("COMPLETED")
  })
})
