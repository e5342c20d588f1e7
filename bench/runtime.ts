/**
 * How does the runtime's cost grow with the project? Random DAGs of 1,000 / 10,000 / 100,000 assets (about two
 * edges each, half monthly over ten years: bench/syntheticGraph.ts), timing what every CLI start pays: validating
 * the definitions, building the graph (validation, edges, a stable topological order), and selecting `+leaf`.
 * Baseline, measured in the same run on the same graph: graphology-dag's cycle check and topological sort, the
 * well-kept library's own figure for the same question. Each row is the median of alternating runs; the growth
 * column is the cost's factor over the size before it (10 when linear).
 *
 *   npx tsx bench/runtime.ts            (sizes 1000, 10000, 100000; BENCH_RUNS=5)
 *   npx tsx bench/runtime.ts --quick    (1000 and 3000, one run: what the test suite runs so the bench cannot rot)
 *   npx tsx bench/runtime.ts --only noop   (only the no-op materialization rows; also `--only graph`, `--only status`)
 *
 * Status: a SQLite store filled with a current materialization of every asset partition (everything FRESH), then
 * `assets status`'s work in process (observe, read the current records, resolve every partition with causes,
 * summarize), against reading the same rows raw through better-sqlite3 (the floor: no decoding, no status).
 *
 * No-op materialization: a random DAG of unpartitioned assets whose computes write one line (bench/syntheticGraph.ts
 * noopGraph), materialized end to end in process on DuckDB, the folder lake and SQLite, then again with everything
 * fresh; per asset. Baseline: the floor of any durable runner, one small file and one committed SQLite row per asset.
 * Beside it, the run's CPU per asset over all threads against the CPU of the output check alone (DuckDB's scan of
 * each output for its rows, content hash and columns, run again over the same outputs one after another): on two
 * cores, 1 ms per asset needs under 2 ms of CPU per asset, the check included. And the CPU of the JavaScript thread
 * alone (from /proc, where there is one) against the wall time: the runtime, the SQLite store (better-sqlite3 runs
 * on that thread) and the lake's file calls take turns on it, so its CPU per asset is a floor for the wall time per
 * asset on any number of cores.
 *
 * Status runs on SQLite and, when one is reachable (BENCH_MYSQL_URL, default root@127.0.0.1:3306), on MariaDB;
 * its baseline there is the same rows read raw through mysql2.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import * as Mysql from "mysql2/promise"
import { DirectedGraph } from "graphology"
import { hasCycle, topologicalSort } from "graphology-dag"
import { buildGraph } from "../runtime/graph/AssetGraph.js"
import { resolveSelection } from "../runtime/graph/Selection.js"
import { validate } from "../runtime/graph/validate.js"
import { EventStore } from "../runtime/events/EventStore.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import * as DuckDB from "../resources/duckdb/DuckDB.js"
import * as DuckDBEngine from "../resources/duckdb/DuckDBEngine.js"
import * as LocalLake from "../resources/lake-fs/LocalLake.js"
import { materialize } from "../runtime/execute/materialize.js"
import { outputPath, type AnyAssetDef } from "../runtime/asset/Asset.js"
import { Engine } from "../runtime/engine/Engine.js"
import { defineProject, projectLayer } from "../runtime/project/Project.js"
import * as MysqlEventStore from "../resources/event-store/MysqlEventStore.js"
import { fillMysqlStore, fillStore, noopFloor, readRaw, readRawMysql } from "./filledStore.js"
import { noopGraph, syntheticGraph, threeYearsOfDays } from "./syntheticGraph.js"
import { mainThreadMs } from "./cpuTime.js"
import { removeLater } from "./removeLater.js"
import { referenceLoopLine } from "./referenceLoop.js"

const quick = process.argv.includes("--quick")
const sizes = quick ? [1_000, 3_000] : [1_000, 10_000, 100_000]
const runs = quick ? 1 : Number(process.env["BENCH_RUNS"] ?? 5)
// `--only noop` (or graph, status) runs one part: the status part alone takes minutes
const onlyAt = process.argv.indexOf("--only")
const only = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined
const part = (name: "graph" | "status" | "noop") => only === undefined || only === name

const adminQuery = async (url: string, sql: string) => {
  const c = await Mysql.createConnection({ uri: url })
  await c.query(sql).finally(() => c.end())
}

const time = (f: () => unknown): number => {
  const t0 = performance.now()
  f()
  return performance.now() - t0
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0))

/** The library's figure: the same edges into graphology, then its cycle check and topological sort. */
const baseline = (assets: ReturnType<typeof syntheticGraph>["assets"]) => {
  const g = new DirectedGraph()
  for (const a of assets) g.addNode(a.key)
  for (const a of assets) if (a._tag === "Asset") for (const d of Object.values(a.deps)) g.mergeEdge(d.asset.key, a.key)
  if (hasCycle(g)) throw new Error("the synthetic graph has a cycle")
  topologicalSort(g)
}

interface Row {
  readonly question: string
  readonly size: number
  readonly figure: number
  readonly baseline: number | undefined
  readonly target: string
  /** the peak RSS of the process that measured it, when it ran in a process of its own */
  readonly rssMb?: number
}

interface StatusRun {
  readonly ms: number
  readonly total: number
  readonly fresh: number
  readonly cached: number
  readonly computed: number
  readonly restated: number
  readonly rssMb: number
}

/** One status in a process of its own (bench/statusChild.ts); `change`: an asset re-materialized just before. */
const statusInChild = (target: string, size: number, shape: "monthly" | "daily", change?: number): StatusRun => {
  const run = spawnSync(join(process.cwd(), "node_modules/.bin/tsx"), ["bench/statusChild.ts", target, String(size), shape, ...(change === undefined ? [] : ["change", String(change)])], {
    encoding: "utf8",
    maxBuffer: 1 << 26
  })
  const line = run.stdout.trim().split("\n").pop() ?? ""
  if (run.status !== 0 || !line.startsWith("{")) throw new Error(`bench/statusChild.ts failed (${run.status}): ${run.stderr.slice(-2000)}`)
  return JSON.parse(line) as StatusRun
}

const rows: Array<Row> = []
let peakRss = 0
for (const size of part("graph") ? sizes : []) {
  const { assets, leaf } = syntheticGraph(size)
  const edges = assets.reduce((n, a) => n + (a._tag === "Asset" ? Object.keys(a.deps).length : 0), 0)
  const validation: Array<number> = []
  const build: Array<number> = []
  const library: Array<number> = []
  const selection: Array<number> = []
  for (let i = 0; i < runs; i++) {
    // alternate the sides, so a noisy neighbour weighs on both
    library.push(time(() => baseline(assets)))
    validation.push(time(() => {
      if (validate(assets).length > 0) throw new Error("the synthetic graph is invalid")
    }))
    let graph: ReturnType<typeof buildGraph> | undefined
    build.push(time(() => (graph = buildGraph(assets))))
    selection.push(time(() => resolveSelection(graph!, `+${leaf}`)))
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
  }
  const target = size === 10_000 ? "under 100 ms, linear" : "linear"
  rows.push({ question: `validate ${size} assets, ${edges} edges`, size, figure: median(validation), baseline: median(library), target })
  rows.push({ question: `build the graph (validate, edges, order) of ${size}`, size, figure: median(build), baseline: median(library), target })
  rows.push({ question: `select +leaf among ${size}`, size, figure: median(selection), baseline: undefined, target: "linear" })
}

const growth = (r: Row) => {
  const before = rows.find((x) => x.question.replace(/\d+/g, "#") === r.question.replace(/\d+/g, "#") && x.size === sizes[sizes.indexOf(r.size) - 1])
  return before === undefined ? "" : `${(r.figure / before.figure).toFixed(1)}x for ${(r.size / before.size).toFixed(0)}x`
}

// ---- status of every asset partition from a filled store, on SQLite and on MariaDB (when one is reachable)
const mysqlAdmin = process.env["BENCH_MYSQL_URL"] ?? "mysql://root@127.0.0.1:3306/"
const mysqlReachable = part("status") && await Mysql.createConnection({ uri: mysqlAdmin, connectTimeout: 2_000 }).then(
  async (c) => (await c.end(), true),
  (e: Error) => (console.log(`MariaDB at ${mysqlAdmin} unreachable (${e.message}): its status rows are left out`), false)
)
// monthly graphs (120 partitions an asset) at two sizes, and a daily one (1,095 an asset: three years of days)
const statusCases = [
  ...(quick ? [300] : [1_000, 10_000]).map((size) => ({ size, daily: false })),
  // about a million partitions: the memory target (under 1 GB) is set at that size
  { size: quick ? 60 : 1_800, daily: true }
]
for (const storeKind of part("status") ? (["SQLite", "MariaDB"] as const) : []) {
  if (storeKind === "MariaDB" && !mysqlReachable) continue
  for (const { size, daily } of statusCases) {
    const { assets } = daily ? syntheticGraph(size, 7, threeYearsOfDays) : syntheticGraph(size)
    const graph = buildGraph(assets)
    const dir = mkdtempSync(join(tmpdir(), "bench-status-"))
    const file = join(dir, "events.sqlite")
    const database = `bench_status_${process.pid}_${size}`
    const url = `${mysqlAdmin.replace(/\/$/, "")}/${database}`
    if (storeKind === "MariaDB") await adminQuery(mysqlAdmin, `CREATE DATABASE \`${database}\``)
    const runtime = ManagedRuntime.make(storeKind === "SQLite" ? SqliteEventStore.layer(file) : MysqlEventStore.layer(Redacted.make(url)))
    try {
      await runtime.runPromise(Effect.asVoid(EventStore)) // migrations
      const filled = storeKind === "SQLite" ? fillStore(file, graph) : await fillMysqlStore(url, graph)
      const raw: Array<number> = []
      const target = storeKind === "SQLite" ? file : url
      const shape = daily ? "daily" : "monthly"
      // each status in a process of its own, as a command runs: first with nothing cached, then with nothing changed
      const cold = statusInChild(target, size, shape)
      if (cold.fresh !== cold.total) throw new Error(`the filled store should be all FRESH: ${cold.fresh} of ${cold.total}`)
      const warm: Array<StatusRun> = []
      for (let i = 0; i < runs; i++) {
        const r0 = performance.now()
        if (storeKind === "SQLite") readRaw(file)
        else await readRawMysql(url)
        raw.push(performance.now() - r0)
        warm.push(statusInChild(target, size, shape))
      }
      // one asset in the middle of the order re-materialized with new versions: it and what reads it are computed again
      const assetCount = graph.order.filter((k) => graph.get(k)._tag === "Asset").length
      const changed = statusInChild(target, size, shape, Math.floor(assetCount / 2))
      const label = `${size} ${daily ? "daily " : ""}assets, ${cold.total} partitions (${filled.materializations} records, ${filled.inputs} inputs)${storeKind === "SQLite" ? "" : " on MariaDB"}`
      const big = size === 10_000 || (daily && !quick)
      rows.push({
        question: `status of ${label}: nothing changed since the last status (${warm[0]!.cached} assets cached)`,
        size,
        figure: median(warm.map((w) => w.ms)),
        baseline: median(raw),
        target: big ? "under 1000 ms (issue 19)" : "linear",
        rssMb: Math.max(...warm.map((w) => w.rssMb))
      })
      rows.push({ question: `status of ${label}: the first, nothing cached`, size, figure: cold.ms, baseline: median(raw), target: "", rssMb: cold.rssMb })
      rows.push({
        question: `status of ${label}: one asset changed since (of ${changed.cached + changed.computed + changed.restated} assets, ${changed.computed} computed again, ${changed.restated} restated: only their inputs' statuses changed)`,
        size,
        figure: changed.ms,
        baseline: median(raw),
        target: "",
        rssMb: changed.rssMb
      })
    } finally {
      await runtime.dispose()
      removeLater(dir)
      if (storeKind === "MariaDB") await adminQuery(mysqlAdmin, `DROP DATABASE IF EXISTS \`${database}\``)
    }
  }
}

// ---- no-op materialization end to end: every asset of a random DAG, then again with everything fresh
const noopSizes = !part("noop") ? [] : quick ? [60] : [1_000, 10_000]
for (const size of noopSizes) {
  const { assets, sinks } = noopGraph(size)
  const dir = mkdtempSync(join(tmpdir(), "bench-noop-"))
  const layer = Layer.mergeAll(DuckDBEngine.layer.pipe(Layer.provide(DuckDB.layerOnFirstUse)), SqliteEventStore.layer(join(dir, "state", "events.sqlite"))).pipe(
    Layer.provideMerge(LocalLake.layer(join(dir, "lake")))
  )
  const project = defineProject({ name: "noop", assets, layer })
  const runtime = ManagedRuntime.make(Layer.mergeAll(project.layer, projectLayer(project)))
  try {
    const selection = sinks.join(",")
    const cpu0 = process.cpuUsage()
    const main0 = mainThreadMs()
    const t0 = performance.now()
    const first = await runtime.runPromise(materialize({ selection, concurrency: 2 }))
    const all = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    const main1 = mainThreadMs()
    const succeeded = first.outcomes.filter((o) => o.state === "succeeded").length
    if (succeeded !== size) throw new Error(`the no-op run should materialize all ${size} assets: ${succeeded} succeeded`)
    const t1 = performance.now()
    const again = await runtime.runPromise(materialize({ selection, concurrency: 2 }))
    const fresh = performance.now() - t1
    if (again.plan.tasks.length !== 0) throw new Error(`the second run should find all ${size} fresh: ${again.plan.tasks.length} planned`)
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
    const floor = noopFloor(join(dir, "floor"), size)
    const check = await runtime.runPromise(checkEach(assets))
    rows.push({ question: `materialize ${size} no-op assets, ms per asset`, size, figure: all / size, baseline: floor / size, target: "under 1 ms per asset (issue 19)" })
    rows.push({
      question: `the same run's CPU per asset, all threads (baseline: the output check alone, DuckDB's scan of one output, its CPU)`,
      size,
      figure: (cpu.user + cpu.system) / 1000 / size,
      baseline: check.cpuMs / size,
      target: "with 2 cores, under 2 ms for 1 ms per asset"
    })
    // JavaScript runs on one thread: its CPU per asset is a floor for the wall time per asset, however many cores
    if (main0 !== undefined && main1 !== undefined) {
      rows.push({ question: `the same run's CPU per asset on the JavaScript thread (baseline: the run's wall time per asset)`, size, figure: (main1 - main0) / size, baseline: all / size, target: "" })
    }
    rows.push({ question: `the output check alone, one output after another, ms per asset`, size, figure: check.ms / size, baseline: undefined, target: "" })
    rows.push({ question: `materialize ${size} no-op assets all fresh, ms per asset`, size, figure: fresh / size, baseline: undefined, target: "" })
  } finally {
    await runtime.dispose()
    removeLater(dir)
  }
}

/**
 * The check every materialization runs on its output (row count, content hash, the declared columns: Engine.check),
 * alone, over the outputs the run just wrote, one after another: what a no-op task cannot do without.
 */
function checkEach(assets: ReadonlyArray<AnyAssetDef>) {
  return Effect.gen(function* () {
    const engine = yield* Engine
    const outputs = assets.flatMap((a) => (a._tag === "Asset" ? [a] : []))
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    for (const a of outputs) {
      const { stats } = yield* engine.check(outputPath(a, undefined), a.format, a.columns)
      if (stats.rows !== 1) throw new Error(`${a.key}: the output check read ${stats.rows} rows, not 1`)
    }
    const cpu = process.cpuUsage(cpu0)
    return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 }
  })
}

console.log(`load ${loadavg().map((l) => l.toFixed(2)).join(" ")}; ${runs} run${runs === 1 ? "" : "s"} a row, medians${quick ? " (--quick)" : ""}`)
console.log("| question | figure (ms) | baseline (ms): graphology's cycle check + sort; for status, the same rows read raw; for no-op assets, a file and a committed row each | ratio | growth | target | peak RSS of its process (MB) |")
console.log("|---|---|---|---|---|---|---|")
for (const r of rows) {
  console.log(
    `| ${r.question} | ${ms(r.figure)} | ${r.baseline === undefined ? "" : ms(r.baseline)} | ${r.baseline === undefined ? "" : `${(r.figure / r.baseline).toFixed(2)}x`} | ${growth(r)} | ${r.target} | ${r.rssMb === undefined ? "" : r.rssMb.toFixed(0)} |`
  )
}
console.log(referenceLoopLine(quick ? 1 : 3))
console.log(`peak RSS of this process ${(Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20).toFixed(0)} MB; the status rows give their own processes`)
