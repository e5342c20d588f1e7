/**
 * How fast do the lineage and materializations endpoints answer over a big event store? One million
 * materializations with Sakila-shaped provenance in SQLite (inserted in batches of 500 through the SqlClient), the
 * server in a child process on loopback, autocannon against each endpoint; ratios against /api/health measured in
 * the same run. Targets: p99 under 20 ms, over 5,000 requests per second on 2 cores.
 *
 *   npm run bench:api                      (BENCH_MATERIALIZATIONS=1000000, BENCH_SECONDS=8, BENCH_CONNECTIONS=10;
 *                                           BENCH_DIR=/some/dir keeps the filled store for the next run)
 */
import { contextAt } from "../runtime/partitions/PartitionsDefinition.js"
import { fork } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { cpus, tmpdir } from "node:os"
import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import autocannon from "autocannon"
import { Effect, Layer, ManagedRuntime } from "effect"
import { sakilaAssets } from "../assets/index.js"
import * as DuckDB from "../resources/duckdb/DuckDB.js"
import * as DuckDBEngine from "../resources/duckdb/DuckDBEngine.js"
import * as SqlEventStore from "../resources/event-store/SqlEventStore.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import * as LocalLake from "../resources/lake-fs/LocalLake.js"
import * as GeneratedSakila from "../assets/generated/GeneratedSakila.js"
import * as SimulatedFeed from "../assets/feed/SimulatedFeed.js"
import { outputPath } from "../runtime/asset/Asset.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { newId } from "../runtime/events/ids.js"
import { fromMonthIndex, monthIndex, type PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { defineProject } from "../runtime/project/Project.js"
import * as Auth from "../ui-api/auth.js"
import { apiLayer } from "../ui-api/layer.js"
import { listen } from "../ui-api/server.js"

const TOTAL = Number(process.env["BENCH_MATERIALIZATIONS"] ?? 1_000_000)
const SECONDS = Number(process.env["BENCH_SECONDS"] ?? 8)
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS"] ?? 10)
const MONTHS = Array.from({ length: 12 }, (_, i) => fromMonthIndex(monthIndex("2023-01") + i))

const project = (dir: string) =>
  defineProject({
    name: "sakila",
    assets: sakilaAssets,
    layer: Layer.mergeAll(
      DuckDBEngine.layer.pipe(Layer.provide(DuckDB.layer({ threads: 1 }))),
      SqliteEventStore.layer(join(dir, "events.sqlite")),
      GeneratedSakila.layer(42),
      SimulatedFeed.layer({ seed: 7, from: "2023-01", to: "2023-01", eventsPerMonth: 10, lateFraction: 0, malformedFraction: 0 })
    ).pipe(Layer.provideMerge(LocalLake.layer(join(dir, "lake"))))
  })

/** The child: the API over the prepared store, on a free loopback port; tells the parent its address. */
const serve = (dir: string) => {
  const runtime = ManagedRuntime.make(apiLayer(project(dir), Auth.layer({ host: "127.0.0.1" })))
  return runtime.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const { url } = yield* listen(runtime, { host: "127.0.0.1", port: 0 })
        process.send!(url)
        return yield* Effect.never
      })
    )
  )
}

/**
 * Generations of the whole Sakila pipeline over 12 months, each reading the one before's sources and its own
 * upstream, until TOTAL materializations: provenance shaped like real runs.
 */
const fill = (dir: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* EventStore // runs the migrations
    const graph = project(dir).graph
    const observations = new Map<string, string>()
    const obsRows: Array<Record<string, string>> = []
    for (const k of graph.order) {
      const def = graph.get(k)
      if (def._tag !== "Source") continue
      for (const p of def.partitions ? [...MONTHS, fromMonthIndex(monthIndex("2023-12") + 1)] : [null]) {
        const id = newId("o")
        observations.set(`${k}|${p ?? ""}`, id)
        obsRows.push({ id, asset_key: k, partition_key: p ?? "", data_version: "v0", observed_at: new Date().toISOString() })
      }
    }
    yield* sql`INSERT INTO observations ${sql.insert(obsRows)}`
    yield* sql`INSERT INTO current_observations ${sql.insert(obsRows.map((o) => ({ asset_key: o.asset_key!, partition_key: o.partition_key!, observation_id: o.id! })))}`

    const assets = graph.order.map((k) => graph.get(k)).filter((d) => d._tag === "Asset")
    let mats: Array<Record<string, string | number>> = []
    let inputs: Array<Record<string, string | null>> = []
    const runs: Array<Record<string, string | number | null>> = []
    const latest = new Map<string, string>()
    const flush = Effect.gen(function* () {
      yield* sql.withTransaction(
        Effect.gen(function* () {
          for (let i = 0; i < mats.length; i += 500) yield* sql`INSERT INTO materializations ${sql.insert(mats.slice(i, i + 500))}`
          for (let i = 0; i < inputs.length; i += 500) yield* sql`INSERT INTO materialization_inputs ${sql.insert(inputs.slice(i, i + 500) as Array<Record<string, string>>)}`
        })
      )
      mats = []
      inputs = []
    })
    let count = 0
    const started = Date.now()
    while (count < TOTAL) {
      const runId = newId("r")
      const at = new Date().toISOString()
      runs.push({ id: runId, kind: "materialize", selection: "+category_state_report", status: "SUCCESS", host: "bench", pid: 0, started_at: at, ended_at: at })
      for (const def of assets) {
        for (const p of def.partitions ? MONTHS : [null]) {
          if (count >= TOTAL) break
          const id = newId("m")
          for (const e of graph.inputs(def.key)) {
            const mapped = e.mapping.upstream(p ?? undefined, contextAt())
            const ups: ReadonlyArray<PartitionKey | null> = mapped._tag === "Whole" ? [null] : mapped._tag === "All" ? MONTHS : mapped.keys
            for (const up of ups) {
              const producer = graph.get(e.upstream)._tag === "Source" ? observations.get(`${e.upstream}|${up ?? ""}`) : latest.get(`${e.upstream}|${up ?? ""}`)
              if (producer === undefined) continue
              inputs.push({ materialization_id: id, input_asset_key: e.upstream, input_partition_key: up ?? "", data_version: "v0", producer_id: producer })
            }
          }
          latest.set(`${def.key}|${p ?? ""}`, id)
          mats.push({
            id,
            run_id: runId,
            asset_key: def.key,
            partition_key: p ?? "",
            code_version: def.codeVersion,
            data_version: id.slice(-16),
            row_count: 1000,
            metadata: JSON.stringify({ path: outputPath(def, p ?? undefined) }),
            started_at: at,
            ended_at: at
          })
          count++
        }
      }
      if (mats.length >= 50_000) yield* flush
    }
    yield* flush
    for (let i = 0; i < runs.length; i += 500) yield* sql`INSERT INTO runs ${sql.insert(runs.slice(i, i + 500))}`
    const current = [...latest].map(([slot, id]) => ({ asset_key: slot.split("|")[0]!, partition_key: slot.split("|")[1]!, materialization_id: id }))
    yield* sql`INSERT INTO current_materializations ${sql.insert(current)}`
    const [{ n }] = (yield* sql`SELECT count(*) AS n FROM materializations`) as unknown as [{ n: number }]
    const [{ i }] = (yield* sql`SELECT count(*) AS i FROM materialization_inputs`) as unknown as [{ i: number }]
    return { materializations: n, inputs: i, seconds: (Date.now() - started) / 1000, latest }
  }).pipe(
    Effect.provide(Layer.effect(EventStore, SqlEventStore.make).pipe(Layer.provideMerge(SqliteClient.layer({ filename: join(dir, "events.sqlite") }))))
  )

/** What a kept store holds (BENCH_DIR), and the current materialization of each asset partition. */
const counts = (dir: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [{ n }] = (yield* sql`SELECT count(*) AS n FROM materializations`) as unknown as [{ n: number }]
    const [{ i }] = (yield* sql`SELECT count(*) AS i FROM materialization_inputs`) as unknown as [{ i: number }]
    const current = (yield* sql`SELECT asset_key, partition_key, materialization_id FROM current_materializations`) as unknown as Array<{
      asset_key: string
      partition_key: string
      materialization_id: string
    }>
    const latest = new Map(current.map((c) => [`${c.asset_key}|${c.partition_key}`, c.materialization_id]))
    return { materializations: n, inputs: i, seconds: 0, latest }
  }).pipe(Effect.provide(SqliteClient.layer({ filename: join(dir, "events.sqlite") })))

/** `cold`: every request gets a URL of its own, so no answer is reused: the cost of building each one. */
const measure = async (url: string, cold = false) => {
  let n = 0
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    pipelining: 1,
    ...(cold ? { requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, path: `${new URL(url).pathname}${new URL(url).search}&cold=${n++}` }) }] } : {})
  })
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`)
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 }
}

const main = async () => {
  // BENCH_DIR keeps the filled store for another run (filled only the first time)
  const keep = process.env["BENCH_DIR"]
  const dir = keep ?? mkdtempSync(join(tmpdir(), "assets-bench-api-"))
  try {
    const reuse = keep !== undefined && existsSync(join(dir, "events.sqlite"))
    if (!reuse) console.log(`filling the event store with ${TOTAL.toLocaleString("en")} materializations...`)
    const filled = await Effect.runPromise(reuse ? counts(dir) : fill(dir))
    console.log(`${filled.materializations.toLocaleString("en")} materializations, ${filled.inputs.toLocaleString("en")} input rows in ${filled.seconds.toFixed(1)} s`)

    const child = fork(import.meta.filename, ["--serve", dir], { stdio: ["ignore", "inherit", "inherit", "ipc"] })
    const base = await new Promise<string>((resolve, reject) => {
      child.once("message", (m) => resolve(String(m)))
      child.once("exit", (code) => reject(new Error(`the server exited (${code})`)))
    })
    try {
      const mid = (await (await fetch(`${base}/api/assets/streaming_films/materializations?partition=2023-06&limit=500`)).json()) as { items: Array<{ id: string }> }
      const cursor = mid.items[mid.items.length - 1]!.id
      const rawFilm = (await (await fetch(`${base}/api/assets/raw_film/materializations?limit=300`)).json()) as { items: Array<{ id: string }> }
      const older = rawFilm.items[rawFilm.items.length - 1]!.id
      const endpoints: Array<[string, string]> = [
        ["GET /api/health (baseline)", "/api/health"],
        ["materializations, first page (20)", "/api/assets/streaming_films/materializations?limit=20"],
        ["materializations, partition + cursor (20)", `/api/assets/streaming_films/materializations?partition=2023-06&before=${cursor}&limit=20`],
        ["lineage upstream, streaming_films[2023-06], depth 10", "/api/assets/streaming_films/lineage?partition=2023-06"],
        ["lineage upstream by id, depth 1", `/api/materializations/${filled.latest.get("streaming_films|2023-06")}/lineage?depth=1`],
        ["lineage downstream, an older raw_film, depth 3", `/api/materializations/${older}/lineage?direction=downstream&depth=3`],
        ["cold: materializations, partition + cursor (20)", `/api/assets/streaming_films/materializations?partition=2023-06&before=${cursor}&limit=20`],
        ["cold: lineage upstream, streaming_films[2023-06], depth 10", "/api/assets/streaming_films/lineage?partition=2023-06"]
      ]
      const results: Array<{ name: string; rps: number; p50: number; p99: number }> = []
      for (const [name, path] of endpoints) {
        await measure(`${base}${path}`, name.startsWith("cold")).then((r) => results.push({ name, ...r }))
        process.stdout.write(".")
      }
      const baseline = results[0]!
      console.log(`\n\n${cpus().length} cores, ${CONNECTIONS} connections, ${SECONDS} s per endpoint, ${filled.materializations.toLocaleString("en")} materializations (SQLite)\n`)
      const rows = results.map((r) => [
        r.name,
        r.rps.toFixed(0),
        (r.rps / baseline.rps).toFixed(2),
        r.p50.toFixed(1),
        r.p99.toFixed(1),
        r.p99 < 20 && r.rps > 5000 ? "yes" : "no"
      ])
      const head = ["endpoint", "req/s", "x health", "p50 ms", "p99 ms", "target met"]
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
      const line = (xs: ReadonlyArray<string>) => `| ${xs.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(" | ")} |`
      console.log([line(head), `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`, ...rows.map(line)].join("\n"))
    } finally {
      child.kill("SIGTERM")
    }
  } finally {
    if (keep === undefined) rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === "--serve") await serve(process.argv[3]!)
else await main()
