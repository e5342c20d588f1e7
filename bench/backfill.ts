/**
 * How fast are backfills? (issue: over 200 no-op tasks per second; Dagster enqueues about one run per second)
 *
 *   npx tsx bench/backfill.ts [--events 1000000] [--concurrency 4] [--runs 5]
 *
 * 1. 120 monthly partitions x 5 chained assets with no-op computes: tasks per second planned and stored, and
 *    completed, against the same plan run by the in-memory executor (one `materialize`) in the same run. The two
 *    take turns: once cold (the first run in the process, while V8 is still compiling), then `--runs` times warm,
 *    reported as medians with their range: on a shared VM the speed of the same code swings by a third from one
 *    minute to the next.
 * 2. The real pipeline at N events over 12 months: one backfill of streaming_films against the same months
 *    materialized one `materialize --partition M` at a time, on copies of the same landing data.
 *
 * Projects live under the temp folder (TMPDIR chooses it). A no-op task creates a file and a folder, so the first row
 * measures how long those take there: on the VMs here it was 30 µs in one folder and 700 µs in another of the same
 * disk, which moves the no-op rate by a fifth.
 */
import { spawn } from "node:child_process"
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { sakilaAssets } from "../assets/index.js"
import type { BackfillTask } from "../runtime/backfill/records.js"
import { createBackfill } from "../runtime/backfill/createBackfill.js"
import { runBackfill } from "../runtime/backfill/runBackfill.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { monthRange, simulateStreams } from "../assets/generated/simulateStreams.js"
import { landStreams } from "../assets/feed/landStreams.js"
import { createEmptyDatabase, mysqlAvailability } from "../tests/support/sakilaDatabase.js"
import { chain, landTick } from "../tests/support/synthetic.js"
import { tempDir, testProject } from "../tests/support/testProject.js"

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const events = arg("events", 1_000_000)
const concurrency = arg("concurrency", 4)
const runs = arg("runs", 5)
const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const spread = (xs: ReadonlyArray<number>, digits = 0) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`
const seconds = async <A>(f: () => Promise<A>) => {
  const t = performance.now()
  const value = await f()
  return { value, s: (performance.now() - t) / 1000 }
}
const rows: Array<[string, string, string, string]> = []
const row = (what: string, figure: string, baseline: string, ratio: string) => rows.push([what, figure, baseline, ratio])

// 0. the file system under the temp folder: what a no-op task's own output costs there
{
  const dir = tempDir("assets-bench-fs-")
  const micros = (f: () => void) => {
    const t = process.hrtime.bigint()
    f()
    return Number(process.hrtime.bigint() - t) / 1000
  }
  const created: Array<number> = []
  const made: Array<number> = []
  for (let i = 0; i < 300; i++) {
    created.push(micros(() => writeFileSync(join(dir, `f${i}`), "n\n2020-01\n")))
    made.push(micros(() => mkdirSync(join(dir, `d${i}`))))
  }
  rmSync(dir, { recursive: true, force: true })
  row(`machine: create a small file / a folder in ${tmpdir()}, median of 300`, `${median(created).toFixed(0)} µs / ${median(made).toFixed(0)} µs`, "", "")
}

// 1. no-op tasks
{
  const months = monthRange("2020-01", "2029-12")
  const setup = async () => {
    const p = testProject({ assets: chain(5, { noop: true }) })
    for (const m of months) await p.run(landTick(m, ["a"]))
    return p
  }
  const range = { from: "2020-01" as PartitionKey, to: "2029-12" as PartitionKey }

  const planRates: Array<number> = []
  const backfillRates: Array<number> = []
  const directRates: Array<number> = []
  const endToEnd: Array<number> = []
  const directSeconds: Array<number> = []
  let tasks = 0
  for (let i = 0; i <= runs; i++) {
    const b = await setup()
    const planned = await seconds(() => b.run(createBackfill({ selection: "step5", range, force: false })))
    tasks = planned.value.tasks.length
    const ran = await seconds(() => b.run(runBackfill({ backfillId: planned.value.backfill.id, concurrency })))
    await b.dispose()
    planRates.push(tasks / planned.s)
    backfillRates.push(tasks / ran.s)
    endToEnd.push(planned.s + ran.s)

    const m = await setup()
    const direct = await seconds(() => m.materialize("step5", { range, concurrency }))
    await m.dispose()
    directRates.push(direct.value.outcomes.length / direct.s)
    directSeconds.push(direct.s)
  }

  // The same backfill shared by `assets worker` processes. The rate counts from the first task's start to the last
  // one's end, as recorded in the store, so process start-up is left out. On SQLite (one writer at a time, and a
  // waiting writer blocks its process), and on MariaDB as the shared event store workers are meant for.
  const workers = async (count: number, eventStore?: string) => {
    const w = await setup()
    await w.runtime.dispose()
    const env = {
      ...process.env,
      SYNTH_DIR: w.dir,
      SYNTH_LENGTH: "5",
      SYNTH_NOOP: "1",
      ASSETS_CONFIG: resolve("tests/fixtures/synthetic.config.ts"),
      ...(eventStore ? { SYNTH_EVENT_STORE: eventStore } : {})
    }
    const cli = (args: ReadonlyArray<string>) =>
      new Promise<string>((done) => {
        let out = ""
        const c = spawn(process.execPath, [resolve("bin/assets.js"), ...args], { env, stdio: ["ignore", "pipe", "ignore"] })
        c.stdout.on("data", (d: Buffer) => (out += d.toString()))
        c.once("exit", () => done(out))
      })
    const created = await cli(["backfill", "step5", "--from", "2020-01", "--to", "2029-12", "--detach", "--json"])
    const { id } = JSON.parse(created.slice(created.indexOf("{"))) as { id: string }
    await Promise.all(Array.from({ length: count }, () => cli(["worker", "--until-idle", "--concurrency", String(concurrency), "--poll-ms", "100"])))
    const status = JSON.parse((s => s.slice(s.indexOf("{")))(await cli(["backfill", "status", id, "--json"]))) as { tasks: ReadonlyArray<BackfillTask> }
    rmSync(w.dir, { recursive: true, force: true })
    const first = Math.min(...status.tasks.map((t) => Date.parse(t.startedAt!)))
    const last = Math.max(...status.tasks.map((t) => Date.parse(t.endedAt!)))
    return {
      rate: status.tasks.filter((t) => t.state === "succeeded").length / ((last - first) / 1000),
      workers: new Set(status.tasks.map((t) => t.worker)).size
    }
  }
  const sqliteWorkers = await workers(2)
  const mysql = await mysqlAvailability()
  let mariadb: { one: number; two: { rate: number; workers: number } } | string
  if (mysql.ok) {
    const [a, b] = [await createEmptyDatabase("assets_bench"), await createEmptyDatabase("assets_bench")]
    try {
      mariadb = { one: (await workers(1, a.url)).rate, two: await workers(2, b.url) }
    } finally {
      await a.drop()
      await b.drop()
    }
  } else mariadb = mysql.reason

  // the first turn ran cold; the figures below are the warm turns
  const [coldBackfill, coldDirect] = [backfillRates.shift()!, directRates.shift()!]
  planRates.shift()
  endToEnd.shift()
  directSeconds.shift()
  const backfillRate = median(backfillRates)
  const directRate = median(directRates)
  row(`no-op: plan + store ${tasks} tasks`, `${spread(planRates)} tasks/s`, "", "")
  row(`no-op: backfill ${tasks} tasks, concurrency ${concurrency}, cold (first in the process)`, `${coldBackfill.toFixed(0)} tasks/s`, `${coldDirect.toFixed(0)} tasks/s (one materialize)`, `${(coldBackfill / coldDirect).toFixed(2)}x`)
  row(
    `no-op: backfill ${tasks} tasks, concurrency ${concurrency}, warm, median of ${runs}`,
    `${spread(backfillRates)} tasks/s`,
    `${spread(directRates)} tasks/s (one materialize)`,
    `${(backfillRate / directRate).toFixed(2)}x`
  )
  row(
    `no-op: ${sqliteWorkers.workers} worker processes on SQLite, concurrency ${concurrency} each`,
    `${sqliteWorkers.rate.toFixed(0)} tasks/s`,
    `${backfillRate.toFixed(0)} tasks/s (one process)`,
    `${(sqliteWorkers.rate / backfillRate).toFixed(2)}x`
  )
  if (typeof mariadb === "string") row("no-op: worker processes on MariaDB", `skipped: ${mariadb}`, "", "")
  else
    row(
      `no-op: ${mariadb.two.workers} worker processes sharing MariaDB, concurrency ${concurrency} each`,
      `${mariadb.two.rate.toFixed(0)} tasks/s`,
      `${mariadb.one.toFixed(0)} tasks/s (one worker on MariaDB)`,
      `${(mariadb.two.rate / mariadb.one).toFixed(2)}x`
    )
  row("no-op: backfill end to end (plan + run)", `${spread(endToEnd, 2)} s`, `${spread(directSeconds, 2)} s`, `${(median(endToEnd) / median(directSeconds)).toFixed(2)}x`)
  row("no-op: against Dagster's ~1 run/s", `${backfillRate.toFixed(0)} tasks/s`, "1 run/s (reported)", `${backfillRate.toFixed(0)}x`)
}

// 2. the real pipeline
{
  const months = monthRange("2023-01", "2023-12")
  const seed = tempDir()
  const landing = testProject({ assets: sakilaAssets, dir: seed })
  const files = simulateStreams({ seed: 3, months, eventsPerMonth: Math.round(events / months.length), lateFraction: 0.3, malformedFraction: 0.001 })
  await landing.run(landStreams(files))
  await landing.dispose(false)
  const copy = () => {
    const dir = tempDir()
    mkdirSync(join(dir, "lake", "landing"), { recursive: true })
    cpSync(join(seed, "lake", "landing"), join(dir, "lake", "landing"), { recursive: true })
    // the feed's months are landed already, so the simulated feed adds nothing
    return testProject({ assets: sakilaAssets, dir, feed: { seed: 3, from: "2023-01", to: "2023-12", eventsPerMonth: 1, lateFraction: 0, malformedFraction: 0 } })
  }
  const range = { from: "2023-01" as PartitionKey, to: "2023-12" as PartitionKey }

  const b = copy()
  const backfill = await seconds(async () => {
    const created = await b.run(createBackfill({ selection: "streaming_films", range, force: false }))
    return b.run(runBackfill({ backfillId: created.backfill.id, concurrency }))
  })
  await b.dispose()

  const s = copy()
  const sequential = await seconds(async () => {
    for (const m of months) await s.materialize("streaming_films", { range: { from: m as PartitionKey, to: m as PartitionKey } })
  })
  await s.dispose()
  row(`pipeline: streaming_films, 12 months, ${events} events (${backfill.value?.done} tasks)`, `${backfill.s.toFixed(2)} s backfill`, `${sequential.s.toFixed(2)} s month by month`, `${(sequential.s / backfill.s).toFixed(2)}x faster`)
}

const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ["question", "figure", "baseline (same run)", "ratio"][i]!.length))
const line = (r: ReadonlyArray<string>) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`
console.log(line(["question", "figure", "baseline (same run)", "ratio"]))
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`)
for (const r of rows) console.log(line(r))
