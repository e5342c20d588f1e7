import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { describe, expect, it } from "vitest"

/** what every bench prints to tell this machine's speed on the day (bench/referenceLoop.ts) */
const machineLine = /^this machine: the reference JavaScript loop \(bench\/referenceLoop\.ts\) took \d+ ms; compare it before comparing absolute figures across days$/m

/** Each bench in its small --quick mode, so none rots unnoticed: it runs, and prints its table. */
describe("benches in --quick mode", () => {
  it("bench/runtime.ts prints its table: validation, graph build and selection at two sizes, status of a filled store, growth and peak RSS", () => {
    const run = spawnSync(resolve("node_modules/.bin/tsx"), ["bench/runtime.ts", "--quick"], { encoding: "utf8" })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toMatch(machineLine)
    expect(run.stdout).toMatch(/^\| validate 1000 assets, \d+ edges \| [\d.]+ \| [\d.]+ \| [\d.]+x \|/m)
    expect(run.stdout).toMatch(/^\| build the graph \(validate, edges, order\) of 3000 \| [\d.]+ \| [\d.]+ \| [\d.]+x \| [\d.]+x for 3x \|/m)
    expect(run.stdout).toMatch(/^\| select \+leaf among 3000 \| [\d.]+ \|/m)
    // the bench itself checks the filled store reads all FRESH before it reports the rows: nothing cached, then
    // nothing changed (every asset from the cache), then one asset changed
    const status = (store: string) =>
      ["nothing changed since the last status \\(\\d+ assets cached\\)", "the first, nothing cached", "one asset changed since \\(of \\d+ assets, \\d+ computed again, \\d+ restated: only their inputs' statuses changed\\)"].map(
        (row) => new RegExp(`^\\| status of 300 assets, \\d+ partitions \\(\\d+ records, \\d+ inputs\\)${store}: ${row} \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+x \\|.* \\| \\d+ \\|$`, "m")
      )
    for (const row of status("")) expect(run.stdout).toMatch(row)
    // MariaDB runs under CI (.ci/run starts it); elsewhere the bench says it left its rows out
    if (process.env["CI"] === "true" || !run.stdout.includes("unreachable")) {
      for (const row of status(" on MariaDB")) expect(run.stdout).toMatch(row)
    }
    expect(run.stdout).toMatch(/^\| materialize 60 no-op assets, ms per asset \| [\d.]+ \| [\d.]+ \| [\d.]+x \|/m)
    // the run's CPU beside the output check's alone (which the bench checks read each output's one row)
    expect(run.stdout).toMatch(/^\| the same run's CPU per asset, all threads \(baseline: the output check alone, DuckDB's scan of one output, its CPU\) \| [\d.]+ \| [\d.]+ \| [\d.]+x \|/m)
    // the JavaScript thread's share, against the run's wall time (Linux: /proc)
    if (process.platform === "linux") {
      expect(run.stdout).toMatch(/^\| the same run's CPU per asset on the JavaScript thread \(baseline: the run's wall time per asset\) \| [\d.]+ \| [\d.]+ \| [\d.]+x \|/m)
    }
    expect(run.stdout).toMatch(/^\| the output check alone, one output after another, ms per asset \| [\d.]+ \|/m)
    expect(run.stdout).toMatch(/^\| materialize 60 no-op assets all fresh, ms per asset \| [\d.]+ \|/m)
    expect(run.stdout).toMatch(/^peak RSS of this process \d+ MB/m)
  })

  it("bench/backfill.ts prints its table: no-op backfills in one process and in worker processes, on SQLite and MariaDB, each against its baseline, with load and peak RSS", () => {
    const run = spawnSync(resolve("node_modules/.bin/tsx"), ["bench/backfill.ts", "--quick"], { encoding: "utf8", timeout: 280_000 })
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).toMatch(machineLine)
    expect(run.stdout).toMatch(/^load [\d.]+ [\d.]+ [\d.]+ at the start, [\d.]+ [\d.]+ [\d.]+ at the end; 1 warm run \(--quick\)$/m)
    // the bench checks that every task completed before it reports a rate
    expect(run.stdout).toMatch(/^\| no-op: backfill 36 tasks, concurrency 4, warm, median of 1 +\| \d+ tasks\/s +\| \d+ tasks\/s \(one materialize\) +\| [\d.]+x +\| over 1000 tasks\/s \(issue 19\) +\| (yes|no) +\|$/m)
    expect(run.stdout).toMatch(/^\| no-op: 2 worker processes on SQLite \(\d took tasks\), concurrency 4 each +\| \d+ tasks\/s +\| \d+ tasks\/s \(one process\) +\| [\d.]+x +\|/m)
    if (process.env["CI"] === "true" || !run.stdout.includes("skipped: MariaDB")) {
      expect(run.stdout).toMatch(/^\| no-op: 2 workers on MariaDB vs 1 \(\d took tasks\), concurrency 4 each, 1 pair, medians +\| \d+ tasks\/s +\| \d+ tasks\/s \(one worker on MariaDB\) +\| [\d.]+x +\| faster than one \(over 1\.00x, issue 19\) +\| (yes|no) +\|$/m)
      // where the pair's time went: CPU per task of each side, the database's, how busy the machine was
      if (process.platform === "linux") {
        expect(run.stdout).toMatch(
          /^2 workers on MariaDB vs 1, CPU per task, medians over the pairs \(.*\): one worker: -?[\d.]+ ms in the workers \(-?[\d.]+ on their JavaScript threads\) \+ ([\d.]+|n\/a) in mariadbd, the machine \d+% busy; two workers: -?[\d.]+ ms in the workers \(-?[\d.]+ on their JavaScript threads\) \+ ([\d.]+|n\/a) in mariadbd, the machine \d+% busy; each worker's start and end \(\d+ ms, a worker with nothing to do\) taken out$/m
        )
      }
    }
    expect(run.stdout).toMatch(/^peak RSS: bench process \d+ MB, worker processes (\d+ MB|n\/a)$/m)
  }, 300_000)

  it("bench/ui.ts prints its table: time to first render of the graph and the asset page at scale, in Chromium, against GET /api/health", () => {
    if (!existsSync("/usr/bin/chromium") && process.env["CI"] !== "true") return console.log("bench/ui.ts skipped: no Chromium at /usr/bin/chromium")
    const run = spawnSync(resolve("node_modules/.bin/tsx"), ["bench/ui.ts", "--quick"], { encoding: "utf8" })
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).toMatch(machineLine)
    for (const row of ["graph of 200 assets in 8 groups", "asset page, one of 200 assets", "graph with an asset of 2000 partitions", "asset page with 2000 partitions"]) {
      expect(run.stdout).toMatch(new RegExp(`^\\| ${row} \\| \\d+ \\| \\d+ \\| [\\d.]+x \\| under 2000 ms \\| (yes|no) \\|$`, "m"))
    }
    // the browser gets a bar of buckets, never the partition space
    expect(run.stdout).toMatch(/^the page's health bar: \d+ buckets in [\d.]+ KB, where the whole partition list would be \d+ KB$/m)
    expect(run.stdout).toMatch(/^peak RSS \d+ MB/m)
  })

  it("bench/checks.ts prints its table: status with 5 checks per asset and a no-op materialization with its checks, each against the same without", () => {
    const run = spawnSync(resolve("node_modules/.bin/tsx"), ["--conditions=sakila-assets-source", "bench/checks.ts", "--quick"], { encoding: "utf8" })
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).toMatch(machineLine)
    // the bench checks that status showed every failing result and that every check ran before it reports
    expect(run.stdout).toMatch(/^\| status of 200 assets × 5 checks \(\d+ check results, \d+ failing or warned\) \| [\d.]+ \| [\d.]+ \| [\d.]+x \| under 1000 ms \| (yes|no) \|$/m)
    expect(run.stdout).toMatch(/^\| materialize 60 no-op assets × 5 checks, ms per asset \| [\d.]+ \| [\d.]+ \| [\d.]+x \| checks add under 20% \| (yes|no) \|$/m)
    expect(run.stdout).toMatch(/^peak RSS \d+ MB$/m)
  })

  it("bench/ingest.ts prints its tables: records/s of the ingest endpoint against a plain route (1 and 10 clients), and the lag from a generated event to category_report", () => {
    const run = spawnSync(resolve("node_modules/.bin/tsx"), ["--conditions=sakila-assets-source", "bench/ingest.ts", "--quick"], { encoding: "utf8", timeout: 280_000 })
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).toMatch(machineLine)
    for (const row of ["1 client, batches of 500", "10 clients, batches of 500"]) {
      expect(run.stdout).toMatch(new RegExp(`^\\| ${row} +\\| +\\d+ \\| +\\d+ \\| +[\\d.]+x \\| +> 20000 \\| +(yes|no) \\|$`, "m"))
    }
    expect(run.stdout).toMatch(/^peak RSS: ingest server \d+ MB, plain server \d+ MB$/m)
    // the bench waits until the report counts every event it sent before it reports the lags
    expect(run.stdout).toMatch(/^\| 100 records\/s, serve --daemon +\| +2 \| +1 \| +[\d.]+ \| +[\d.]+ \| +< 8 \| +(yes|no) \|$/m)
  }, 300_000)

  it("bench/api.ts prints its table: cold history and lineage requests, each URL new, against GET /api/health; the load and peak RSS", () => {
    const run = spawnSync(resolve("node_modules/.bin/tsx"), ["--conditions=sakila-assets-source", "bench/api.ts", "--quick"], { encoding: "utf8", timeout: 280_000 })
    // any answer other than 2xx makes the bench fail before it reports
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).toMatch(machineLine)
    expect(run.stdout).toMatch(/^\d+ cores, load [\d. ]+; \d+ connections/m)
    expect(run.stdout).toMatch(/^\| GET \/api\/health \(baseline\) +\| +\d+ \| +\d+ \| +1\.00x \|/m)
    for (const row of [
      "history: a partition's page of 20 before a cursor",
      "history: an asset's page of 20 before a cursor",
      "lineage upstream of a materialization, depth 10",
      "lineage upstream of a materialization, depth 1",
      "lineage downstream of a materialization, depth 3"
    ]) {
      expect(run.stdout).toMatch(new RegExp(`^\\| ${row} +\\| +\\d+ \\| +\\d+ \\| +[\\d.]+x \\| +[\\d.]+ \\| +[\\d.]+ \\| +\\d+% \\| p99 < 20 ms, > 3000/s \\| +(yes|no) \\|$`, "m"))
    }
    expect(run.stdout).toMatch(/^peak RSS: server \d+ MB, bench \d+ MB$/m)
  }, 300_000)

  it("bench/cli.ts prints its table: --help, list, a no-op materialize and status as processes, against node -e 0", () => {
    const run = spawnSync(resolve("node_modules/.bin/tsx"), ["bench/cli.ts", "--quick"], { encoding: "utf8" })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toMatch(machineLine)
    expect(run.stdout).toMatch(/^\| node -e 0 \(baseline\) \| \d+ \| \d+ \| 1\.0x \|/m)
    for (const row of ["assets --help", "assets list", "assets materialize category_report \\(no-op\\)", "assets status"]) {
      expect(run.stdout).toMatch(new RegExp(`^\\| ${row} \\| \\d+ \\| \\d+ \\| [\\d.]+x \\|`, "m"))
    }
  })

  it("bench/pipeline.ts prints its table: the whole pipeline against a hand-written DuckDB script with the same outputs, and an appended month", () => {
    const run = spawnSync(resolve("node_modules/.bin/tsx"), ["bench/pipeline.ts", "--quick"], { encoding: "utf8" })
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).toMatch(machineLine)
    // the bench compares both sides' outputs before it reports (exit 1 when they differ)
    expect(run.stdout).toMatch(/^20000 events: both sides wrote the same outputs \(\d+ events, \d+ rejected lines, 4 months of accounting, reports \d+ \/ \d+ \/ \d+ rows\)$/m)
    expect(run.stdout).toMatch(
      /^\| 20000 events over 3 months: materialize the whole pipeline vs the hand-written DuckDB script \| [\d.]+ \| [\d.]+ \| [\d.]+x \| within 1\.15x \| (yes|no) \|$/m
    )
    expect(run.stdout).toMatch(
      /^\| 20000 events: materialize after appending 2021-04 \(\d+ events\), CLI start included, vs the full run \| [\d.]+ \| [\d.]+ \| [\d.]+% \| under 10% \| (yes|no) \|$/m
    )
    expect(run.stdout).toMatch(/^peak RSS: pipeline (\d+ MB|n\/a) \(full run\), (\d+ MB|n\/a) \(appended month\); script (\d+ MB|n\/a);/m)
  })
})
