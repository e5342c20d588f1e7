import { spawn, spawnSync } from "node:child_process"
import { existsSync, readdirSync } from "node:fs"
import { hostname } from "node:os"
import { join, resolve } from "node:path"
import { Effect, Layer, ManagedRuntime, Schema } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { sakilaAssets } from "../assets/index.js"
import { defineAsset, type AnyAssetDef } from "../runtime/asset/Asset.js"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { Column } from "../runtime/asset/columns.js"
import { BackfillStore } from "../runtime/backfill/BackfillStore.js"
import { createBackfill } from "../runtime/backfill/createBackfill.js"
import { runBackfill } from "../runtime/backfill/runBackfill.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { LeaseStore } from "../runtime/lease/LeaseStore.js"
import { newId } from "../runtime/events/ids.js"
import { loadState } from "../runtime/execute/materialize.js"
import { buildGraph } from "../runtime/graph/AssetGraph.js"
import { monthly } from "../runtime/partitions/TimeWindowPartitions.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { plan } from "../runtime/plan/planner.js"
import { defineProject } from "../runtime/project/Project.js"
import { StatusResolver } from "../runtime/status/StatusResolver.js"
import { loadRunStates, summarize } from "../runtime/status/summary.js"
import * as DuckDB from "../resources/duckdb/DuckDB.js"
import * as DuckDBEngine from "../resources/duckdb/DuckDBEngine.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import * as LocalLake from "../resources/lake-fs/LocalLake.js"
import { makeApp } from "../ui-api/app.js"
import * as Auth from "../ui-api/auth.js"
import { apiLayer } from "../ui-api/layer.js"
import { earlyLate } from "./support/earlyLate.js"
import { chain, landTick, syntheticMonths, ticks } from "./support/synthetic.js"
import { tempDir, testProject, type TestProject } from "./support/testProject.js"
import { writeTicks } from "./support/ticks.js"

const bin = resolve("bin/assets.js")
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const months = ["2023-01", "2023-02", "2023-03", "2023-04", "2023-05", "2023-06"]
const range = (from: string, to: string) => ({ from: from as PartitionKey, to: to as PartitionKey })

const env = (dir: string, extra: Record<string, string> = {}) => ({
  ...process.env,
  SYNTH_DIR: dir,
  ASSETS_CONFIG: resolve("tests/fixtures/synthetic.config.ts"),
  ASSETS_LEASE_SECONDS: "2",
  ...extra
})
const cli = (args: ReadonlyArray<string>, e: NodeJS.ProcessEnv) => spawnSync(process.execPath, [bin, ...args], { env: e, encoding: "utf8" })
const json = (out: string) => JSON.parse(out.slice(out.search(/[[{]/)))
const staging = (dir: string) => (existsSync(join(dir, "lake", ".staging")) ? readdirSync(join(dir, "lake", ".staging")).filter((d) => d !== "_writes") : [])

/** Starts the CLI and SIGKILLs it once `ready` holds (a step done): a runner that dies mid-run. */
const killMidRun = async (args: ReadonlyArray<string>, e: NodeJS.ProcessEnv) => {
  const child = spawn(process.execPath, [bin, ...args], { env: e, stdio: "pipe" })
  let out = ""
  child.stdout.on("data", (d: Buffer) => (out += d.toString()))
  for (const t0 = Date.now(); !/✓|done [1-9]/.test(out); await sleep(50)) {
    if (Date.now() - t0 > 60_000) throw new Error(`nothing finished: ${out}`)
  }
  child.kill("SIGKILL")
  await new Promise((r) => child.once("exit", r))
}

let opened: Array<TestProject> = []
const open = (assets: ReadonlyArray<AnyAssetDef>, dir?: string) => {
  const p = testProject({ assets, ...(dir ? { dir } : {}) })
  opened.push(p)
  return p
}
afterEach(async () => {
  for (const p of opened) await p.dispose(false)
  opened = []
})

const summaryOf = (p: TestProject, key: string) =>
  p.run(
    Effect.gen(function* () {
      const state = yield* loadState(p.graph, [key as AssetKey])
      return summarize(new StatusResolver(p.graph, state), key as AssetKey, yield* loadRunStates([key as AssetKey]))
    })
  )

describe("dead runners are seen", () => {
  it("a killed materialize shows ABANDONED in `runs`, the API and the store once a runner starts; its staging is reclaimed", async () => {
    const dir = tempDir()
    writeTicks(dir, months.slice(0, 4), ["a", "bb"])
    await killMidRun(["materialize", "step2", "--concurrency", "2"], env(dir, { SYNTH_DELAY_MS: "1000" }))
    expect(staging(dir).length).toBe(1)

    const listed = cli(["runs", "--json"], env(dir))
    expect(listed.status).toBe(0)
    expect(json(listed.stdout)[0]).toMatchObject({ kind: "materialize", status: "ABANDONED" })
    expect(cli(["runs"], env(dir)).stdout).toMatch(/^r\w+ {2}ABANDONED materialize/m)
    expect(json(cli(["runs", "--status", "ABANDONED", "--json"], env(dir)).stdout).length).toBe(1)
    // reads wrote nothing: the store still holds it STARTED
    const p = open(chain(2), dir)
    const [stored] = await p.run(Effect.flatMap(EventStore, (s) => s.runs({ limit: 1 })))
    expect(stored!.status).toBe("STARTED")

    expect(cli(["materialize", "step2"], env(dir)).status).toBe(0)
    const runs = await p.run(Effect.flatMap(EventStore, (s) => s.runs({ limit: 5 })))
    expect(runs.find((r) => r.id === stored!.id)!.status).toBe("ABANDONED")
    expect(staging(dir)).toEqual([])
  })

  it("a killed runner's partitions are not shown running while its unexpired leases are still stored", async () => {
    const dir = tempDir()
    writeTicks(dir, months.slice(0, 4), ["a", "bb"])
    await killMidRun(["materialize", "step2", "--concurrency", "2"], env(dir, { SYNTH_DELAY_MS: "1000", ASSETS_LEASE_SECONDS: "600" }))
    const p = open(chain(2), dir)
    const keys = ["step1", "step2"] as Array<AssetKey>
    expect((await p.run(Effect.flatMap(LeaseStore, (l) => l.live(keys)))).length).toBeGreaterThan(0)
    for (const key of keys) expect((await summaryOf(p, key)).counts.RUNNING).toBe(0)
    expect(cli(["status"], env(dir)).stdout).not.toMatch(/running/)
  })

  it("the API shows a run whose process is gone as ABANDONED", async () => {
    const dir = tempDir()
    const project = defineProject({
      name: "dead",
      assets: chain(1),
      layer: Layer.mergeAll(DuckDBEngine.layer.pipe(Layer.provide(DuckDB.layer())), SqliteEventStore.layer(join(dir, "state", "events.sqlite"))).pipe(
        Layer.provideMerge(LocalLake.layer(join(dir, "lake")))
      )
    })
    const runtime = ManagedRuntime.make(apiLayer(project, Auth.layer({ host: "127.0.0.1" })))
    try {
      // a pid that existed and is gone
      const gone = spawnSync(process.execPath, ["-e", "0"]).pid!
      const id = newId("r")
      const run = { id, kind: "materialize" as const, selection: "step1", status: "STARTED" as const, host: hostname(), pid: gone, startedAt: new Date().toISOString(), endedAt: null, heartbeatAt: Date.now() }
      await runtime.runPromise(Effect.flatMap(EventStore, (s) => s.startRun(run)))
      const app = makeApp(runtime)
      expect(((await (await app.request(`/api/runs/${id}`)).json()) as { status: string }).status).toBe("ABANDONED")
      const page = (await (await app.request("/api/runs")).json()) as { items: Array<{ id: string; status: string }> }
      expect(page.items.find((r) => r.id === id)!.status).toBe("ABANDONED")
    } finally {
      await runtime.dispose()
    }
  })

  it("a killed backfill shows ABANDONED with how to go on; resume reclaims its staging; a detached one is QUEUED until a worker takes it", async () => {
    const dir = tempDir()
    writeTicks(dir, months, ["a", "bb"])
    await killMidRun(["backfill", "step2", "--from", "2023-01", "--to", "2023-06", "--concurrency", "2"], env(dir, { SYNTH_DELAY_MS: "1000" }))
    expect(staging(dir).length).toBe(1)
    // its heartbeat stops; after one lease (2 s here) nobody works on it
    await sleep(2500)
    const [b] = json(cli(["backfill", "list", "--json"], env(dir)).stdout) as Array<{ id: string; status: string; stored: string }>
    expect(b).toMatchObject({ status: "ABANDONED", stored: "RUNNING" })
    const status = cli(["backfill", "status", b!.id], env(dir))
    expect(status.stdout).toContain(`backfill ${b!.id} ABANDONED: step2 2023-01..2023-06`)
    expect(status.stdout).toContain(`its worker stopped: \`assets backfill resume ${b!.id}\` continues it`)

    const resumed = cli(["backfill", "resume", b!.id, "--json"], env(dir))
    expect(resumed.status, resumed.stderr).toBe(0)
    expect(json(resumed.stdout)).toMatchObject({ done: 12, failed: 0, remaining: 0, status: "COMPLETED" })
    expect(staging(dir)).toEqual([])

    const detached = cli(["backfill", "step2", "--from", "2023-01", "--to", "2023-06", "--force", "--detach", "--json"], env(dir))
    const { id } = json(detached.stdout) as { id: string }
    const queued = cli(["backfill", "status", id], env(dir))
    expect(queued.stdout).toContain(`backfill ${id} QUEUED`)
    expect(queued.stdout).toContain("no worker has taken it yet: run `assets worker`")
  })
})

describe("failures are shown", () => {
  it("a failed partition is FAILED with its run and whole error in status, --json and `runs show`; a later success clears it", async () => {
    const dir = tempDir()
    writeTicks(dir, months.slice(0, 3), ["a", "bb"])
    writeTicks(dir, ["2023-02"], ["a", "POISON"])
    const failed = cli(["materialize", "step1"], env(dir))
    expect(failed.status).toBe(1)
    const runId = /\(run (r\w+)\)/.exec(failed.stdout)![1]!

    const status = cli(["status", "step1"], env(dir))
    expect(status.stdout).toMatch(/^FAILED +step1 +3 partitions: 2 fresh, 0 stale, 0 missing, 1 failed$/m)
    expect(status.stdout).toContain(`2023-02: failed in run ${runId} at `)
    expect(status.stdout).toContain(`poisoned input line (\`assets runs show ${runId}\` has all of it)`)
    const [summary] = json(cli(["status", "step1", "--json"], env(dir)).stdout) as Array<{ status: string; partitions: Array<{ partition: string; status: string; failure: { runId: string; message: string } | null }> }>
    expect(summary!.status).toBe("FAILED")
    expect(summary!.partitions.find((p) => p.partition === "2023-02")).toMatchObject({ status: "FAILED", failure: { runId } })

    const shown = cli(["runs", "show", runId], env(dir))
    expect(shown.stdout).toContain(`run ${runId} FAILURE: materialize step1`)
    expect(shown.stdout).toMatch(/^ {2}failed +step1\[2023-02\] .*Invalid Input Error: poisoned input line/m)
    expect(shown.stdout).toMatch(/^ {2}succeeded step1\[2023-01\] +\S+ +\d+\.\d+s {2}2 rows/m)

    writeTicks(dir, ["2023-02"], ["a", "fixed"])
    expect(cli(["materialize", "step1"], env(dir)).status).toBe(0)
    const after = json(cli(["status", "step1", "--json"], env(dir)).stdout)[0]
    expect(after).toMatchObject({ status: "FRESH", counts: { FAILED: 0, FRESH: 3 } })
  })

  it("keeps every line of an engine's error (bounded), not the first", async () => {
    const broken = defineAsset({
      key: "broken",
      partitions: syntheticMonths,
      deps: { up: ticks },
      schema: Schema.Struct({ n: Column.bigint }),
      sql: ({ inputs }) => `SELECT nope AS n FROM ${inputs.up}`
    })
    const p = open([ticks, broken])
    await p.run(landTick("2023-01", ["a"]))
    const result = await p.materialize("broken")
    expect(result.status).toBe("FAILURE")
    const events = await p.run(Effect.flatMap(EventStore, (s) => s.runEvents(result.runId)))
    const failure = events.find((e) => e.type === "STEP_FAILURE")!
    // DuckDB's binder error says what it could not find on its first line and where in the query on a later one
    expect(failure.message).toContain('Referenced column "nope" not found')
    expect(failure.message.split("\n").length).toBeGreaterThan(1)
    expect(failure.message).toContain("LINE 1:")
  })
})

describe("ranges mean what they say", () => {
  it("--from/--to with --force forces only the months asked for; an all-partitions report runs once over what exists, and the plan says so", async () => {
    const p = open(sakilaAssets)
    expect((await p.materialize("+category_report")).status).toBe("SUCCESS")
    const resolver = await p.resolver()
    const targets = ["raw_film", "raw_category", "raw_film_category", "raw_language", "clean_film", "clean_category", "clean_film_category", "clean_language", "streaming_landing", "streaming_partitions", "film_category", "streaming_films", "streaming_counts", "category_report"] as Array<AssetKey>
    const forced = plan(resolver, { targets: targets.filter((k) => p.graph.has(k)), range: range("2023-02", "2023-02"), force: true })
    const partitioned = forced.tasks.filter((t) => t.partition !== null)
    expect(partitioned.map((t) => t.id).sort()).toEqual(["streaming_counts[2023-02]", "streaming_films[2023-02]", "streaming_partitions[2023-02]"])
    expect(forced.notes).toContain(
      "category_report reads every partition of streaming_counts: it runs once over the 4 that exist; only those in 2023-02..2023-02 are brought up to date first"
    )
  })

  it("a backfill past the data says which months have none; none of them is planned", async () => {
    const p = open(chain(2))
    for (const m of months.slice(0, 3)) await p.run(landTick(m, ["a"]))
    const created = await p.run(createBackfill({ selection: "step2", range: range("2023-01", "2023-06"), force: false }))
    expect(created.tasks.map((t) => t.partition).every((m) => m! <= "2023-03")).toBe(true)
    expect(created.notes).toEqual(["step2 has no data yet for 2023-04..2023-06: not planned"])
    const cliOut = cli(["backfill", "step2", "--from", "2023-01", "--to", "2023-08", "--detach"], env(p.dir))
    expect(cliOut.stdout).toContain("  step2 has no data yet for 2023-04..2023-08: not planned")
  })
})

describe("impossible partitions are errors", () => {
  const earlyEnv = (dir: string) => ({ ...env(dir), ASSETS_CONFIG: resolve("tests/fixtures/earlyLate.config.ts") })

  it("materialize and backfill refuse a partition that cannot exist, naming the upstream range (exit 2); status shows them", async () => {
    const dir = tempDir()
    writeTicks(dir, ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"], ["a"])
    const one = cli(["materialize", "early", "--partition", "2024-02"], earlyEnv(dir))
    expect(one.status).toBe(2)
    expect(one.stderr).toContain("error: early[2024-02] cannot exist: upstream late starts 2024-05: choose partitions that can exist")
    const backfill = cli(["backfill", "early", "--from", "2024-01", "--to", "2024-06"], earlyEnv(dir))
    expect(backfill.status).toBe(2)
    expect(backfill.stderr).toContain("error: early[2024-01..2024-04] cannot exist: upstream late starts 2024-05: narrow --from/--to")

    expect(cli(["materialize", "early", "--from", "2024-05", "--to", "2024-06"], earlyEnv(dir)).status).toBe(0)
    const status = cli(["status", "early"], earlyEnv(dir))
    expect(status.stdout).toContain("2024-01..2024-04: cannot exist: upstream late starts 2024-05")
    const p = open(earlyLate, dir)
    expect((await summaryOf(p, "early")).cannotExist).toEqual([{ partitions: "2024-01..2024-04", reason: "upstream late starts 2024-05" }])
  })
})

describe("stored backfills re-validate, and cancel is a barrier", () => {
  const endingIn = (end: string) => {
    const [source, step1, step2] = chain(2)
    return [source!, step1!, { ...step2!, partitions: monthly({ start: "2000-01", end }) } as AnyAssetDef]
  }

  it("tasks the project no longer has fail with what changed; the backfill ends FAILED", async () => {
    const dir = tempDir()
    const p = open(chain(2), dir)
    for (const m of months) await p.run(landTick(m, ["a"]))
    const created = await p.run(createBackfill({ selection: "step2", range: range("2023-01", "2023-06"), force: false }))
    await p.runtime.dispose()

    const q = open(endingIn("2023-03"), dir)
    expect(buildGraph(endingIn("2023-03")).has("step2" as AssetKey)).toBe(true)
    const ran = await q.run(runBackfill({ backfillId: created.backfill.id, concurrency: 2 }))
    expect(ran).toMatchObject({ failed: 3, remaining: 0, status: "FAILED" })
    const tasks = await q.run(Effect.flatMap(BackfillStore, (s) => s.tasks(created.backfill.id)))
    expect(tasks.find((t) => t.taskId === "step2[2023-05]")!.message).toBe(
      "the project changed since this backfill was planned: partition 2023-05 was removed: step2's partitions now run from 2000-01 to 2023-03"
    )
  })

  it("a worker meeting a removed asset fails its tasks and exits non-zero", () => {
    const dir = tempDir()
    writeTicks(dir, months.slice(0, 2), ["a"])
    const detached = cli(["backfill", "step3", "--from", "2023-01", "--to", "2023-02", "--detach", "--json"], env(dir, { SYNTH_LENGTH: "3" }))
    const { id } = json(detached.stdout) as { id: string }
    const worker = cli(["worker", "--until-idle"], env(dir, { SYNTH_LENGTH: "2" }))
    expect(worker.status).toBe(1)
    const status = cli(["backfill", "status", id], env(dir))
    expect(status.stdout).toContain(`backfill ${id} FAILED`)
    expect(status.stdout).toContain("failed step3[2023-01]: the project changed since this backfill was planned: asset step3 was removed from the project")
  })

  it("once a cancel is stored no task starts; cancelling a finished backfill is refused", async () => {
    const dir = tempDir()
    const p = open(chain(1), dir)
    for (const m of months.slice(0, 2)) await p.run(landTick(m, ["a"]))
    const created = await p.run(createBackfill({ selection: "step1", range: range("2023-01", "2023-02"), force: false }))
    expect(await p.run(Effect.flatMap(BackfillStore, (s) => s.setStatus(created.backfill.id, "CANCELED", ["RUNNING"])))).toBe(true)
    const ran = await p.run(runBackfill({ backfillId: created.backfill.id, concurrency: 2 }))
    expect(ran).toMatchObject({ claimed: 0, status: "CANCELED" })
    expect((await p.run(Effect.flatMap(EventStore, (s) => s.materializations({ asset: "step1" as AssetKey, limit: 10 })))).length).toBe(0)

    const done = await p.run(createBackfill({ selection: "step1", range: range("2023-01", "2023-02"), force: false }))
    await p.run(runBackfill({ backfillId: done.backfill.id, concurrency: 2 }))
    await p.runtime.dispose()
    const refused = cli(["backfill", "cancel", done.backfill.id], env(dir, { SYNTH_LENGTH: "1" }))
    expect(refused.status).toBe(2)
    expect(refused.stderr).toContain(`error: backfill ${done.backfill.id} is COMPLETED: it has finished, so there is nothing to cancel`)
  })
})

describe("read commands never write", () => {
  const sakila = (dir: string, extra: Record<string, string> = {}) => {
    const e: NodeJS.ProcessEnv = { ...process.env, ASSETS_LAKE: join(dir, "lake"), ASSETS_STATE_DIR: join(dir, "state"), ASSETS_STREAM_EVENTS_PER_MONTH: "300", ASSETS_STREAM_FROM: "2023-01", ASSETS_STREAM_TO: "2023-01" }
    delete e["ASSETS_CONFIG"]
    delete e["ASSETS_STREAM_FEED"]
    return { ...e, ...extra }
  }
  const landed = (dir: string) => existsSync(join(dir, "lake", "landing", "streaming"))

  it("status lands nothing, whatever the feed; the simulated feed lands only for a runner, saying so; MySQL and S3 never simulate", async () => {
    const dir = tempDir()
    expect(cli(["status"], sakila(dir)).status).toBe(0)
    expect(cli(["status", "--json"], sakila(dir, { ASSETS_STREAM_FEED: "simulated" })).status).toBe(0)
    expect(landed(dir)).toBe(false)
    const p = open(sakilaAssets, dir)
    expect(await p.run(Effect.flatMap(EventStore, (s) => s.currentObservations()))).toEqual([])
    await p.runtime.dispose()

    // without the demo's feed a run lands nothing either: the streaming months have no data
    const none = cli(["materialize", "streaming_partitions"], sakila(dir))
    expect(none.status).toBe(0)
    expect(landed(dir)).toBe(false)

    const seeded = cli(["materialize", "streaming_partitions"], sakila(dir, { ASSETS_STREAM_FEED: "simulated" }))
    expect(seeded.status, seeded.stderr).toBe(0)
    expect(seeded.stdout).toContain("demo: landed simulated partner streams 2023-01..2023-01, 300 events a month, into an empty landing zone (ASSETS_STREAM_FEED=simulated)")
    expect(landed(dir)).toBe(true)

    const mysql = cli(["status"], sakila(tempDir(), { ASSETS_STREAM_FEED: "simulated", SAKILA_MYSQL_URL: "mysql://nobody@127.0.0.1:1/sakila" }))
    expect(mysql.status).toBe(1)
    expect(mysql.stderr).toContain("ASSETS_STREAM_FEED=simulated is the embedded demo's feed; with SAKILA_MYSQL_URL partner streams land from outside: unset it")
  })
})
