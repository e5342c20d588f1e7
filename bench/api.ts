/**
 * How fast do the history and lineage endpoints answer a request they have not seen, over a big event store? One
 * million materializations with Sakila-shaped provenance in SQLite (inserted in batches of 500 through the
 * SqlClient, each row with the copy of its inputs the store writes), the server in a child process on loopback,
 * autocannon against each endpoint. Every request is cold: a URL of its own, naming a materialization (a cursor, a
 * lineage root) drawn in turn from a shuffled sample of the store, so no reused response and few reused records
 * help; the table says how many URLs were distinct.
 * Baseline: GET /api/health in the same round. Rounds alternate the endpoints; medians. Target: a cold history or
 * lineage request answers with p99 under 20 ms at over 3,000 requests/s on 2 cores.
 *
 *   npm run bench:api                 (BENCH_MATERIALIZATIONS=1000000, BENCH_SECONDS=5, BENCH_ROUNDS=3,
 *                                      BENCH_CONNECTIONS=10; BENCH_DIR=/some/dir keeps the filled store for the next run)
 *   npm run bench:api -- --quick      (20,000 materializations, 2 s per endpoint, one round: what the test suite runs)
 */
import { contextAt } from "../runtime/partitions/PartitionsDefinition.js"
import { fork } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
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
import { inputsJson } from "../resources/event-store/materializationValues.js"
import { EventStore } from "../runtime/events/EventStore.js"
import type { InputRecord } from "../runtime/events/records.js"
import { newId } from "../runtime/events/ids.js"
import { fromMonthIndex, monthIndex, type PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { defineProject } from "../runtime/project/Project.js"
import * as Auth from "../ui-api/auth.js"
import { apiLayer } from "../ui-api/layer.js"
import { listen } from "../ui-api/server.js"
import { referenceLoopLine } from "./referenceLoop.js"

const QUICK = process.argv.includes("--quick")
const TOTAL = QUICK ? 20_000 : Number(process.env["BENCH_MATERIALIZATIONS"] ?? 1_000_000)
const SECONDS = QUICK ? 2 : Number(process.env["BENCH_SECONDS"] ?? 5)
const ROUNDS = QUICK ? 1 : Number(process.env["BENCH_ROUNDS"] ?? 3)
const WARM_UP_SECONDS = QUICK ? 0.5 : 1
const CONNECTIONS = Number(process.env["BENCH_CONNECTIONS"] ?? 10)
/** how many materializations the cold requests draw their ids from */
const SAMPLE = 100_000
const TARGET = { p99: 20, rps: 3000 }
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

/** The child: the API over the prepared store, on a free loopback port; tells the parent its address, then its peak RSS. */
const serve = (dir: string) => {
  const runtime = ManagedRuntime.make(apiLayer(project(dir), Auth.layer({ host: "127.0.0.1" })))
  return runtime.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const { url } = yield* listen(runtime, { host: "127.0.0.1", port: 0 })
        process.send!(url)
        process.on("message", () => process.send!(`rss ${Math.round(process.resourceUsage().maxRSS / 1024)}`))
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
    let mats: Array<Record<string, string | number | null>> = []
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
          const read: Array<InputRecord> = []
          for (const e of graph.inputs(def.key)) {
            const mapped = e.mapping.upstream(p ?? undefined, contextAt())
            const ups: ReadonlyArray<PartitionKey | null> = mapped._tag === "Whole" ? [null] : mapped._tag === "All" ? MONTHS : mapped.keys
            for (const up of ups) {
              const producer = graph.get(e.upstream)._tag === "Source" ? observations.get(`${e.upstream}|${up ?? ""}`) : latest.get(`${e.upstream}|${up ?? ""}`)
              if (producer === undefined) continue
              inputs.push({ materialization_id: id, input_asset_key: e.upstream, input_partition_key: up ?? "", data_version: "v0", producer_id: producer })
              read.push({ asset: e.upstream, partition: up, dataVersion: "v0", producerId: producer })
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
            ended_at: at,
            // as the store writes it (SqlEventStore's recordMaterialization)
            inputs_json: inputsJson(read)
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
    return { materializations: n, inputs: i, seconds: (Date.now() - started) / 1000 }
  }).pipe(
    Effect.provide(Layer.effect(EventStore, SqlEventStore.make).pipe(Layer.provideMerge(SqliteClient.layer({ filename: join(dir, "events.sqlite") }))))
  )

const sqlite = (dir: string) => SqliteClient.layer({ filename: join(dir, "events.sqlite") })

/** What a kept store holds (BENCH_DIR). */
const counts = (dir: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const [{ n }] = (yield* sql`SELECT count(*) AS n FROM materializations`) as unknown as [{ n: number }]
    const [{ i }] = (yield* sql`SELECT count(*) AS i FROM materialization_inputs`) as unknown as [{ i: number }]
    return { materializations: n, inputs: i, seconds: 0 }
  }).pipe(Effect.provide(sqlite(dir)))

interface Sampled {
  readonly id: string
  readonly asset: string
  readonly partition: string
}

/** A seeded generator: every run draws the same requests. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** Up to SAMPLE materializations spread over the whole store, shuffled: the ids the cold requests name. */
const sample = (dir: string, total: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const step = Math.max(1, Math.floor(total / SAMPLE))
    const rows = (yield* sql`SELECT id, asset_key, partition_key FROM materializations WHERE rowid % ${step} = 0`) as unknown as Array<{
      id: string
      asset_key: string
      partition_key: string
    }>
    const random = rng(19)
    const out: Array<Sampled> = rows.map((r) => ({ id: r.id, asset: r.asset_key, partition: r.partition_key }))
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[out[i], out[j]] = [out[j]!, out[i]!]
    }
    return out
  }).pipe(Effect.provide(sqlite(dir)))

interface Endpoint {
  readonly name: string
  /** the path of the n-th request */
  readonly path: (n: number) => string
  /** each request a URL of its own: the rows the target is for */
  readonly cold: boolean
}

/** The endpoints measured: each request names the next materialization of the sample. */
const endpoints = (ids: ReadonlyArray<Sampled>): ReadonlyArray<Endpoint> => {
  const at = (n: number) => ids[n % ids.length]!
  const partition = (s: Sampled) => (s.partition === "" ? "" : `partition=${encodeURIComponent(s.partition)}&`)
  const fixed = at(0)
  return [
    { name: "GET /api/health (baseline)", path: () => "/api/health", cold: false },
    {
      name: "history: a partition's page of 20 before a cursor",
      path: (n) => `/api/assets/${at(n).asset}/materializations?${partition(at(n))}before=${at(n).id}&limit=20`,
      cold: true
    },
    {
      name: "history: an asset's page of 20 before a cursor",
      path: (n) => `/api/assets/${at(n).asset}/materializations?before=${at(n).id}&limit=20`,
      cold: true
    },
    { name: "lineage upstream of a materialization, depth 10", path: (n) => `/api/materializations/${at(n).id}/lineage`, cold: true },
    { name: "lineage upstream of a materialization, depth 1", path: (n) => `/api/materializations/${at(n).id}/lineage?depth=1`, cold: true },
    {
      name: "lineage downstream of a materialization, depth 3",
      path: (n) => `/api/materializations/${at(n).id}/lineage?direction=downstream&depth=3`,
      cold: true
    },
    {
      name: "the same history page every time (reused answer)",
      path: () => `/api/assets/${fixed.asset}/materializations?${partition(fixed)}before=${fixed.id}&limit=20`,
      cold: false
    }
  ]
}

interface Measured {
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly sent: number
  readonly distinct: number
}

/** autocannon on one endpoint; `next` numbers its requests across rounds, so a URL sent once is not sent again. */
const measure = async (base: string, endpoint: Endpoint, next: { n: number }, seconds = SECONDS): Promise<Measured> => {
  const paths = new Set<string>()
  let sent = 0
  const r = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: seconds,
    pipelining: 1,
    requests: [
      {
        setupRequest: (req: autocannon.Request) => {
          const path = endpoint.path(next.n++)
          paths.add(path)
          sent++
          return { ...req, path }
        }
      }
    ]
  })
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${endpoint.name}: ${r.non2xx} non-2xx answers, ${r.errors} errors`)
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, sent, distinct: paths.size }
}

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const table = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) => {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (xs: ReadonlyArray<string>) => `| ${xs.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(" | ")} |`
  return [line(head), `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`, ...rows.map(line)].join("\n")
}

const main = async () => {
  // BENCH_DIR keeps the filled store for another run (filled only the first time)
  const keep = QUICK ? undefined : process.env["BENCH_DIR"]
  const dir = keep ?? mkdtempSync(join(tmpdir(), "assets-bench-api-"))
  if (keep !== undefined) mkdirSync(keep, { recursive: true })
  try {
    const reuse = keep !== undefined && existsSync(join(dir, "events.sqlite"))
    if (!reuse) console.log(`filling the event store with ${TOTAL.toLocaleString("en")} materializations...`)
    const filled = await Effect.runPromise(reuse ? counts(dir) : fill(dir))
    console.log(`${filled.materializations.toLocaleString("en")} materializations, ${filled.inputs.toLocaleString("en")} input rows in ${filled.seconds.toFixed(1)} s`)
    const ids = await Effect.runPromise(sample(dir, filled.materializations))

    const child = fork(import.meta.filename, ["--serve", dir], { stdio: ["ignore", "inherit", "inherit", "ipc"] })
    const base = await new Promise<string>((resolve, reject) => {
      child.once("message", (m) => resolve(String(m)))
      child.once("exit", (code) => reject(new Error(`the server exited (${code})`)))
    })
    const serverRss = () =>
      new Promise<number>((resolve) => {
        child.once("message", (m) => resolve(Number(String(m).split(" ")[1])))
        child.send("rss")
      })
    try {
      const list = endpoints(ids)
      // each endpoint starts at its own place in the sample: no two rows ask for the same records
      const next = list.map((_, i) => ({ n: Math.floor((i * ids.length) / list.length) }))
      const results = list.map(() => [] as Array<Measured>)
      // the server compiles its hot paths in a first pass, not in the first row measured
      for (const [i, endpoint] of list.entries()) await measure(base, endpoint, next[i]!, WARM_UP_SECONDS)
      const loads = [loadavg()[0]!]
      for (let round = 0; round < ROUNDS; round++) {
        for (const [i, endpoint] of list.entries()) {
          results[i]!.push(await measure(base, endpoint, next[i]!))
          process.stdout.write(".")
        }
        loads.push(loadavg()[0]!)
      }
      const rss = await serverRss()
      const health = median(results[0]!.map((r) => r.rps))
      const rows = list.map((endpoint, i) => {
        const rs = results[i]!
        const rps = median(rs.map((r) => r.rps))
        const p99 = median(rs.map((r) => r.p99))
        const distinct = (100 * rs.reduce((a, r) => a + r.distinct, 0)) / rs.reduce((a, r) => a + r.sent, 0)
        return [
          endpoint.name,
          rps.toFixed(0),
          health.toFixed(0),
          `${(rps / health).toFixed(2)}x`,
          median(rs.map((r) => r.p50)).toFixed(1),
          p99.toFixed(1),
          endpoint.cold ? `${distinct.toFixed(0)}%` : "-",
          endpoint.cold ? `p99 < ${TARGET.p99} ms, > ${TARGET.rps}/s` : "-",
          endpoint.cold ? (p99 < TARGET.p99 && rps > TARGET.rps ? "yes" : "no") : "-"
        ]
      })
      console.log(
        `\n\n${cpus().length} cores, load ${loads.map((l) => l.toFixed(2)).join(" ")}; ${CONNECTIONS} connections, ${SECONDS} s per endpoint, ${ROUNDS} round${ROUNDS === 1 ? "" : "s"} (medians)${QUICK ? " (--quick)" : ""}; ${filled.materializations.toLocaleString("en")} materializations (SQLite), cold requests drawn from ${ids.length.toLocaleString("en")} of them\n`
      )
      console.log(table(["endpoint", "req/s", "health req/s", "x health", "p50 ms", "p99 ms", "distinct URLs", "target", "met"], rows))
      console.log(referenceLoopLine(QUICK ? 1 : 3))
      console.log(`peak RSS: server ${rss} MB, bench ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`)
    } finally {
      child.kill("SIGTERM")
    }
  } finally {
    if (keep === undefined) rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[2] === "--serve") await serve(process.argv[3]!)
else await main()
