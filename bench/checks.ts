/**
 * What do asset checks cost? Two questions, each against the same work without checks, measured in the same run:
 *
 * 1. Status of a project whose every asset has 5 checks, with a result of each check for every asset partition in
 *    the store (1% failing or warned), against status of the same project and store without checks. Random DAG
 *    of bench/syntheticGraph.ts (half monthly over ten years), store filled as by a full run (bench/filledStore.ts).
 *    Target: under 1 s for 1,000 assets.
 * 2. A no-op materialization of every asset of a random DAG (bench/syntheticGraph.ts noopGraph: each compute writes
 *    one CSV line), each asset with 5 checks (not null, unique, accepted values, a custom SQL check, a row count),
 *    against the same DAG without checks; every asset forced, the two sides alternating. Target: checks add under
 *    20%.
 *
 *   npx tsx --conditions=sakila-assets-source bench/checks.ts            (1,000 assets; BENCH_RUNS=3)
 *   npx tsx --conditions=sakila-assets-source bench/checks.ts --quick    (200 and 60 assets, one run: what CI runs)
 *
 * Prints the load, a table (figure, baseline, ratio, target, met) and the peak RSS.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { referenceLoopLine } from "./referenceLoop.js"
import Database from "better-sqlite3"
import { Effect, Layer, ManagedRuntime } from "effect"
import type { AnyAssetDef, AssetDef } from "../runtime/asset/Asset.js"
import { attachChecks } from "../runtime/checks/attach.js"
import { acceptedValues, notNull, rowCount, unique } from "../runtime/checks/builtins.js"
import { defineCheck, type CheckDef } from "../runtime/checks/Check.js"
import { loadCheckStates } from "../runtime/checks/checkStates.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { loadState, materialize } from "../runtime/execute/materialize.js"
import { buildGraph, type AssetGraph } from "../runtime/graph/AssetGraph.js"
import { defineProject, projectLayer } from "../runtime/project/Project.js"
import { StatusResolver } from "../runtime/status/StatusResolver.js"
import { loadRunStates, summarize } from "../runtime/status/summary.js"
import * as DuckDB from "../resources/duckdb/DuckDB.js"
import * as DuckDBEngine from "../resources/duckdb/DuckDBEngine.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import * as LocalLake from "../resources/lake-fs/LocalLake.js"
import { fillStore } from "./filledStore.js"
import { noopGraph, syntheticGraph } from "./syntheticGraph.js"

const quick = process.argv.includes("--quick")
const runs = quick ? 1 : Number(process.env["BENCH_RUNS"] ?? 3)
const statusSize = quick ? 200 : 1_000
const noopSize = quick ? 60 : 1_000

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0))
let peakRss = 0
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss))

/** Five checks of a one-column asset whose every row is `value`. */
const fiveChecks = (column: string, value: string): ReadonlyArray<CheckDef> => [
  notNull(column),
  unique(column),
  acceptedValues(column, [value]),
  defineCheck({ name: `${column}_not_empty`, where: `length(CAST(${column} AS VARCHAR)) = 0` }),
  rowCount({ min: 1 })
]

/** The same assets with five checks each (the graph holds keys, so the copies replace the originals by key). */
const withChecks = (assets: ReadonlyArray<AnyAssetDef>, column: string): ReadonlyArray<AnyAssetDef> =>
  assets.map((a) => (a._tag === "Asset" ? ({ ...a, checks: attachChecks(a.key, fiveChecks(column, a.key), a.deps, []) } satisfies AssetDef<any, any>) : a))

interface Row {
  readonly question: string
  readonly figure: number
  readonly baseline: number
  readonly target: string
  readonly met: boolean
}
const rows: Array<Row> = []

// ---- 1. status with a result of 5 checks for every asset partition, against status without checks
{
  const { assets } = syntheticGraph(statusSize)
  const plain = buildGraph(assets)
  const checked = buildGraph(withChecks(assets, "n"))
  const dir = mkdtempSync(join(tmpdir(), "bench-checks-status-"))
  const file = join(dir, "events.sqlite")
  const runtime = ManagedRuntime.make(SqliteEventStore.layer(file))
  try {
    await runtime.runPromise(Effect.asVoid(EventStore)) // migrations
    fillStore(file, plain)
    const results = fillCheckResults(file, checked)
    const status = (graph: AssetGraph) =>
      runtime.runPromise(
        Effect.gen(function* () {
          const resolver = new StatusResolver(graph, yield* loadState(graph, graph.order))
          const runStates = yield* loadRunStates(graph.order)
          const checks = yield* loadCheckStates(graph, graph.order)
          return graph.order.map((k) => summarize(resolver, k, runStates, checks))
        })
      )
    const withTimes: Array<number> = []
    const withoutTimes: Array<number> = []
    let shown = 0
    for (let i = 0; i < runs; i++) {
      // alternate the sides, so a noisy neighbour weighs on both
      let t0 = performance.now()
      await status(plain)
      withoutTimes.push(performance.now() - t0)
      t0 = performance.now()
      const summaries = await status(checked)
      withTimes.push(performance.now() - t0)
      shown = summaries.reduce((n, s) => n + s.partitions.reduce((m, p) => m + p.checks.length, 0), 0)
      sample()
    }
    if (shown !== results.failing) throw new Error(`status should show the ${results.failing} failing and warned checks: it showed ${shown}`)
    rows.push({
      question: `status of ${statusSize} assets × 5 checks (${results.rows} check results, ${results.failing} failing or warned)`,
      figure: median(withTimes),
      baseline: median(withoutTimes),
      target: "under 1000 ms",
      met: median(withTimes) < 1_000
    })
  } finally {
    await runtime.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
}

// ---- 2. a no-op materialization of every asset, with 5 checks each against none
{
  const { assets } = noopGraph(noopSize)
  const sides = [
    { name: "without", assets },
    { name: "with", assets: withChecks(assets, "n") }
  ].map((side) => {
    const dir = mkdtempSync(join(tmpdir(), `bench-checks-${side.name}-`))
    const layer = Layer.mergeAll(
      DuckDBEngine.layer.pipe(Layer.provide(DuckDB.layerOnFirstUse)),
      SqliteEventStore.layer(join(dir, "state", "events.sqlite"))
    ).pipe(Layer.provideMerge(LocalLake.layer(join(dir, "lake"))))
    const project = defineProject({ name: "noop", assets: side.assets, layer })
    return { ...side, dir, runtime: ManagedRuntime.make(Layer.mergeAll(project.layer, projectLayer(project))), times: [] as Array<number> }
  })
  const selection = assets.map((a) => a.key).join(",")
  try {
    // once each first (creates the stores, loads DuckDB), then forced runs alternating
    for (const side of sides) await side.runtime.runPromise(materialize({ selection, concurrency: 2 }))
    for (let i = 0; i < Math.max(runs, 2); i++) {
      for (const side of i % 2 === 0 ? sides : [...sides].reverse()) {
        const t0 = performance.now()
        const result = await side.runtime.runPromise(materialize({ selection, force: true, concurrency: 2 }))
        side.times.push(performance.now() - t0)
        const done = result.outcomes.filter((o) => o.state === "succeeded")
        if (done.length !== noopSize) throw new Error(`${side.name} checks: ${done.length} of ${noopSize} materialized`)
        const checks = done.reduce((n, o) => n + o.checks.filter((c) => c.status === "PASSED").length, 0)
        if (checks !== (side.name === "with" ? 5 * noopSize : 0)) throw new Error(`${side.name} checks: ${checks} checks passed`)
        sample()
      }
    }
    const [without, withThem] = sides.map((s) => median(s.times) / noopSize)
    rows.push({
      question: `materialize ${noopSize} no-op assets × 5 checks, ms per asset`,
      figure: withThem!,
      baseline: without!,
      target: "checks add under 20%",
      met: withThem! / without! < 1.2
    })
  } finally {
    for (const side of sides) {
      await side.runtime.dispose()
      rmSync(side.dir, { recursive: true, force: true })
    }
  }
}

console.log(`load ${loadavg().map((l) => l.toFixed(2)).join(" ")}; ${runs} run${runs === 1 ? "" : "s"} a row, medians${quick ? " (--quick)" : ""}`)
console.log("| question | with checks (ms) | baseline: the same without checks (ms) | ratio | target | met |")
console.log("|---|---|---|---|---|---|")
for (const r of rows) console.log(`| ${r.question} | ${ms(r.figure)} | ${ms(r.baseline)} | ${(r.figure / r.baseline).toFixed(2)}x | ${r.target} | ${r.met ? "yes" : "no"} |`)
console.log(referenceLoopLine(quick ? 1 : 3))
console.log(`peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB`)

/**
 * A result of each check of each asset partition that has a current materialization (one in a hundred failed or
 * warned), straight through better-sqlite3 in one transaction, as bench/filledStore.ts fills the rest.
 */
function fillCheckResults(file: string, graph: AssetGraph): { readonly rows: number; readonly failing: number } {
  const db = new Database(file)
  const current = db.prepare("SELECT asset_key, partition_key, materialization_id FROM current_materializations").all() as Array<{
    asset_key: string
    partition_key: string
    materialization_id: string
  }>
  const insert = db.prepare(
    `INSERT INTO check_results (id, asset_key, partition_key, check_name, check_version, severity, blocking, status, materialization_id, run_id,
      failing_rows, sample, message, metadata, at, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'rbench', ?, ?, ?, '{}', ?, 1)`
  )
  const latest = db.prepare("INSERT INTO current_check_results (asset_key, partition_key, check_name, result_id, status, check_version) VALUES (?, ?, ?, ?, ?, ?)")
  const at = new Date().toISOString()
  let n = 0
  let failing = 0
  db.transaction(() => {
    for (const c of current) {
      const def = graph.get(c.asset_key as AssetDef<any, any>["key"])
      if (def._tag !== "Asset") continue
      for (const check of def.checks) {
        n++
        const bad = n % 100 === 0
        const status = bad ? (check.severity === "error" ? "FAILED" : "WARNED") : "PASSED"
        if (bad) failing++
        const id = `k${String(n).padStart(12, "0")}`
        insert.run(id, c.asset_key, c.partition_key, check.name, check.version, check.severity, check.blocking ? 1 : 0, status, c.materialization_id, bad ? 3 : 0, bad ? '[{"n":""}]' : "[]", bad ? "3 failing rows" : "no failing rows", at)
        latest.run(c.asset_key, c.partition_key, check.name, id, status, check.version)
      }
    }
  })()
  db.close()
  return { rows: n, failing }
}
