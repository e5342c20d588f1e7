/**
 * What does the framework cost over the work itself? The whole Sakila pipeline materialized by the `assets`
 * command against one hand-written DuckDB script producing the same outputs from the same files, in the same run;
 * and re-materialization after one more month has landed against the full run (issue 19, item 2).
 *
 * For each size (1M and 10M events over the 36 months 2021-01..2023-12) the events land once into a template lake
 * (`assets stream simulate`, six months at a time with a seed of their own, so a process never holds more than six
 * months; the usual late and malformed lines), and the raw Sakila CSVs are extracted once (`assets materialize
 * raw_*`) for the script. Each timed run starts from a fresh folder with the landed files hard-linked in, so every
 * run starts equal (the page cache is warm for both sides). Each round runs both sides, alternating which goes first,
 * and the figures are medians:
 *
 *  - pipeline: `node bin/assets.js materialize +category_report,+state_report,+category_state_report` in a fresh lake
 *    and state folder holding only the landed events: raw extraction from the generated Sakila source, clean,
 *    film_category, streaming_partitions per month (rules, rejected lines, accounting), streaming_films, the monthly
 *    streaming_counts the three reports sum, and the reports, with the framework's output checks, versions and
 *    records. Wall time of the process, CLI start included.
 *  - script: `node bench/pipelineScript.mjs <folder>`, which runs bench/pipelineScript.sql through @duckdb/node-api
 *    over the same landed files and the raw CSVs (the one thing it does not do is the extraction from the source,
 *    about 0.4 s in the pipeline's printed steps). It reads each line once, checks it by the rules of
 *    assets/streamingRules.ts (written out again, same functions and patterns), and writes every dataset the pipeline
 *    writes, in a layout of its own: clean tables, film_category, events by UTC month, rejected lines and the line
 *    accounting by arrival month, streaming_films by month, the three reports.
 *  - appended month: after each full pipeline run, one more month (2024-01, a month's share of the events) lands and
 *    the same `materialize` runs again, CLI start included, against the full run's median.
 *
 * Before reporting, the first round's outputs of both sides are compared: reports, accounting and rejected lines row
 * for row (sorted), events, streaming_films and film_category by count and an order-free hash of their rows. If they
 * differ the bench says where and exits 1. A missed target still exits 0. Peak RSS of each process is /usr/bin/time's.
 *
 *   npx tsx bench/pipeline.ts                      (1M and 10M events; BENCH_RUNS=3 rounds; about 20 minutes)
 *   npx tsx bench/pipeline.ts --sizes 1000000      (one size)
 *   npx tsx bench/pipeline.ts --quick              (20k events over 3 months, one round: what the test suite runs)
 */
import { spawnSync } from "node:child_process"
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { DuckDBInstance } from "@duckdb/node-api"
import { referenceLoopLine } from "./referenceLoop.js"

const args = process.argv.slice(2)
const quick = args.includes("--quick")
const sizesAt = args.indexOf("--sizes")
const sizes =
  sizesAt >= 0 ? args[sizesAt + 1]!.split(",").map((s) => Number(s.replaceAll("_", ""))) : quick ? [20_000] : [1_000_000, 10_000_000]
if (sizes.some((s) => !Number.isInteger(s) || s <= 0)) throw new Error(`--sizes takes a comma list of event counts: ${args[sizesAt + 1]}`)
const monthCount = quick ? 3 : 36
const runs = quick ? 1 : Number(process.env["BENCH_RUNS"] ?? 3)

const repo = resolve(import.meta.dirname, "..")
const bin = join(repo, "bin/assets.js")
const scriptRunner = join(repo, "bench/pipelineScript.mjs")
const selection = "+category_report,+state_report,+category_state_report"
const timeBin = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined

const addMonths = (month: string, n: number) => {
  const i = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + n
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`
}
const months = Array.from({ length: monthCount }, (_, i) => addMonths("2021-01", i))
const appended = addMonths(months[months.length - 1]!, 1)

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const secs = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1)

const work = mkdtempSync(join(tmpdir(), "bench-pipeline-"))
let processes = 0

interface Ran {
  readonly ms: number
  readonly stdout: string
  /** peak resident set of the process, MB (undefined without /usr/bin/time) */
  readonly rssMb: number | undefined
}

/** Runs `node <argv>` from the repository, timed whole; a failure stops the bench with its output. */
const node = (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv): Ran => {
  const rssFile = join(work, `rss-${processes++}`)
  const [command, commandArgs] =
    timeBin === undefined ? [process.execPath, argv] : [timeBin, ["-f", "%M", "-o", rssFile, process.execPath, ...argv]]
  const t0 = performance.now()
  const p = spawnSync(command, commandArgs, { cwd: repo, env, encoding: "utf8", maxBuffer: 256 * 2 ** 20 })
  const ms = performance.now() - t0
  if (p.status !== 0) throw new Error(`node ${argv.join(" ")} exited ${p.status}:\n${p.stdout.slice(-3000)}\n${p.stderr.slice(-3000)}`)
  const rssMb = timeBin === undefined ? undefined : Number(readFileSync(rssFile, "utf8").trim().split("\n").pop()) / 1024
  return { ms, stdout: p.stdout, rssMb }
}

/** The `assets` command on a lake and state folder of its own; nothing lands by itself, no server is used. */
const assetsEnv = (dir: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ASSETS_LAKE: join(dir, "lake"),
    ASSETS_STATE_DIR: join(dir, "state"),
    ASSETS_STREAM_FEED: "none"
  }
  delete env["ASSETS_EVENT_STORE"]
  delete env["SAKILA_MYSQL_URL"]
  return env
}

/** A copy of a folder tree made of hard links (copies where the file system has none). */
const linkTree = (from: string, to: string) => {
  mkdirSync(to, { recursive: true })
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const [a, b] = [join(from, entry.name), join(to, entry.name)]
    if (entry.isDirectory()) linkTree(a, b)
    else {
      try {
        linkSync(a, b)
      } catch {
        copyFileSync(a, b)
      }
    }
  }
}

const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]))

/** What a `materialize` printed: how many it materialized and failed, and each step's duration by asset. */
const materialized = (stdout: string) => {
  const done = /^Done: (\d+) materialized, .*?(\d+) failed.* in ([\d.]+)s/m.exec(stdout)
  if (done === null) throw new Error(`materialize printed no summary:\n${stdout.slice(-3000)}`)
  const steps = new Map<string, { n: number; s: number }>()
  for (const m of stdout.matchAll(/^✓ ([a-z_]+)(?:\[[^\]]+\])?\s+([\d.]+)s\s/gm)) {
    const step = steps.get(m[1]!) ?? { n: 0, s: 0 }
    steps.set(m[1]!, { n: step.n + 1, s: step.s + Number(m[2]) })
  }
  return { count: Number(done[1]), failed: Number(done[2]), runSeconds: Number(done[3]), steps }
}

// ---- comparing the two sides' outputs
const duck = await (await DuckDBInstance.create(":memory:")).connect()
const rowsOf = async (sql: string) => (await duck.runAndReadAll(sql)).getRowObjectsJson()

interface Layout {
  readonly events: string
  readonly rejected: string
  readonly accounting: string
  readonly films: string
  readonly filmCategory: string
  readonly reports: Readonly<Record<"category_report" | "state_report" | "category_state_report", string>>
}
const pipelineLayout = (lake: string): Layout => ({
  events: `${lake}/curated/streaming_partitions/year=*/month=*/data.parquet`,
  rejected: `${lake}/curated/streaming_partitions/_rejected/year=*/month=*/rejected.parquet`,
  accounting: `${lake}/curated/streaming_partitions/_accounting/year=*/month=*/accounting.parquet`,
  films: `${lake}/curated/streaming_films/year=*/month=*/data.parquet`,
  filmCategory: `${lake}/curated/film_category/data.parquet`,
  reports: {
    category_report: `${lake}/curated/category_report/data.parquet`,
    state_report: `${lake}/curated/state_report/data.parquet`,
    category_state_report: `${lake}/curated/category_state_report/data.parquet`
  }
})
const scriptLayout = (out: string): Layout => ({
  events: `${out}/curated/streaming_partitions/year=*/month=*/*.parquet`,
  rejected: `${out}/curated/streaming_rejected/year=*/month=*/*.parquet`,
  accounting: `${out}/curated/streaming_accounting.parquet`,
  films: `${out}/curated/streaming_films/year=*/month=*/*.parquet`,
  filmCategory: `${out}/curated/film_category.parquet`,
  reports: {
    category_report: `${out}/curated/category_report.parquet`,
    state_report: `${out}/curated/state_report.parquet`,
    category_state_report: `${out}/curated/category_state_report.parquet`
  }
})

const read = (glob: string) => `read_parquet('${glob}', hive_partitioning = false, union_by_name = true)`

/** Each dataset as JSON lines, sorted (the small ones), or as its row count and the sum of its rows' hashes. */
const digest = async (l: Layout): Promise<Record<string, ReadonlyArray<string>>> => {
  const sorted = async (glob: string) => (await rowsOf(`SELECT * FROM ${read(glob)} ORDER BY ALL`)).map((r) => JSON.stringify(r))
  const hashed = async (glob: string) =>
    (await rowsOf(`SELECT count(*)::BIGINT AS rows, sum(hash(t))::VARCHAR AS hash FROM ${read(glob)} AS t`)).map((r) => JSON.stringify(r))
  return {
    category_report: await sorted(l.reports.category_report),
    state_report: await sorted(l.reports.state_report),
    category_state_report: await sorted(l.reports.category_state_report),
    accounting: await sorted(l.accounting),
    rejected: await sorted(l.rejected),
    "events (streaming_partitions)": await hashed(l.events),
    streaming_films: await hashed(l.films),
    film_category: await hashed(l.filmCategory)
  }
}

/** What differs between the two digests, dataset by dataset (a few rows of each side's surplus). */
const differences = (pipeline: Record<string, ReadonlyArray<string>>, script: Record<string, ReadonlyArray<string>>) => {
  const out: Array<string> = []
  for (const name of Object.keys(pipeline)) {
    const [a, b] = [pipeline[name]!, script[name]!]
    const surplus = (xs: ReadonlyArray<string>, ys: ReadonlyArray<string>) => {
      const left = new Map<string, number>()
      for (const y of ys) left.set(y, (left.get(y) ?? 0) + 1)
      return xs.filter((x) => {
        const n = left.get(x) ?? 0
        left.set(x, n - 1)
        return n <= 0
      })
    }
    const [onlyA, onlyB] = [surplus(a, b), surplus(b, a)]
    if (onlyA.length + onlyB.length === 0) continue
    out.push(`${name}: ${a.length} rows from the pipeline, ${b.length} from the script`)
    for (const r of onlyA.slice(0, 5)) out.push(`  pipeline only: ${r}`)
    for (const r of onlyB.slice(0, 5)) out.push(`  script only:   ${r}`)
  }
  return out
}

// ---- the runs
interface Row {
  readonly question: string
  readonly figure: number
  readonly baseline: number
  readonly ratio: string
  readonly target: string
  readonly met: boolean
}
const rows: Array<Row> = []
const notes: Array<string> = []
const loads: Array<number> = []
const rss = { pipeline: 0, appended: 0, script: 0 }
const peak = (side: keyof typeof rss, r: Ran) => (rss[side] = Math.max(rss[side], r.rssMb ?? 0))
let mismatch = false

try {
  for (const size of sizes) {
    const perMonth = Math.round(size / monthCount)
    const template = join(work, `template-${size}`)
    // ---- land the events once, and extract the raw CSVs the script reads
    const t0 = performance.now()
    let lines = 0
    let files = 0
    for (let i = 0; i < months.length; i += 6) {
      const chunk = months.slice(i, i + 6)
      const landed = node(
        [bin, "stream", "simulate", "--from", chunk[0]!, "--to", chunk[chunk.length - 1]!, "--events", String(perMonth), "--seed", String(7 + i / 6)],
        assetsEnv(template)
      )
      const m = /landed (\d+) lines in (\d+) files/.exec(landed.stdout)
      if (m === null) throw new Error(`stream simulate printed no count:\n${landed.stdout}`)
      lines += Number(m[1])
      files += Number(m[2])
    }
    const landing = join(template, "lake/landing/streaming")
    const onDisk = filesUnder(landing)
    // a file landed twice under one name would have replaced the first
    if (onDisk.length !== files) throw new Error(`landed ${files} files, but ${onDisk.length} are under ${landing}`)
    const bytes = onDisk.reduce((n, f) => n + statSync(f).size, 0)
    node([bin, "materialize", "raw_film,raw_category,raw_film_category,raw_language"], assetsEnv(template))
    notes.push(
      `${size} events: landed ${lines} lines (${(bytes / 2 ** 20).toFixed(0)} MB) in ${files} files, ${months[0]}..${appended} ` +
        `(late events of ${months[months.length - 1]} arrive in ${appended}), and the raw CSVs, in ${secs(performance.now() - t0)} s, not timed`
    )

    const full: Array<number> = []
    const append: Array<number> = []
    const script: Array<number> = []
    let lastFull: ReturnType<typeof materialized> | undefined
    let lastAppend: ReturnType<typeof materialized> | undefined
    let lastScript: Record<string, number> = {}
    let pipelineDigest: Record<string, ReadonlyArray<string>> | undefined
    let scriptDigest: Record<string, ReadonlyArray<string>> | undefined

    const pipelineSide = (r: number) => {
      const dir = join(work, `pipeline-${size}-${r}`)
      linkTree(landing, join(dir, "lake/landing/streaming"))
      const ran = node([bin, "materialize", selection], assetsEnv(dir))
      const summary = materialized(ran.stdout)
      if (summary.failed > 0 || summary.count === 0) throw new Error(`the full run materialized ${summary.count}, ${summary.failed} failed:\n${ran.stdout.slice(-3000)}`)
      full.push(ran.ms)
      peak("pipeline", ran)
      lastFull = summary
      return dir
    }
    const appendSide = (dir: string) => {
      node(
        [bin, "stream", "simulate", "--from", appended, "--to", appended, "--events", String(perMonth), "--seed", "99"],
        assetsEnv(dir)
      )
      const ran = node([bin, "materialize", selection], assetsEnv(dir))
      const summary = materialized(ran.stdout)
      if (summary.failed > 0 || summary.count === 0) throw new Error(`the appended run materialized ${summary.count}, ${summary.failed} failed:\n${ran.stdout.slice(-3000)}`)
      append.push(ran.ms)
      peak("appended", ran)
      lastAppend = summary
    }
    const scriptSide = (r: number) => {
      const dir = join(work, `script-${size}-${r}`)
      linkTree(landing, join(dir, "landing/streaming"))
      for (const table of ["film", "category", "film_category", "language"]) {
        linkTree(join(template, `lake/landing/raw_${table}`), join(dir, `landing/raw_${table}`))
      }
      const ran = node([scriptRunner, dir], process.env)
      script.push(ran.ms)
      peak("script", ran)
      lastScript = (JSON.parse(ran.stdout.trim().split("\n").pop()!) as { steps: Record<string, number> }).steps
      return dir
    }

    for (let r = 0; r < runs; r++) {
      loads.push(loadavg()[0]!)
      // alternate which side goes first, so a noisy neighbour weighs on both
      for (const side of r % 2 === 0 ? ["pipeline", "script"] : ["script", "pipeline"]) {
        if (side === "pipeline") {
          const dir = pipelineSide(r)
          // the first round's outputs are compared with the script's before the appended month changes them
          if (r === 0) pipelineDigest = await digest(pipelineLayout(join(dir, "lake")))
          appendSide(dir)
          rmSync(dir, { recursive: true, force: true })
        } else {
          const dir = scriptSide(r)
          if (r === 0) scriptDigest = await digest(scriptLayout(join(dir, "out")))
          rmSync(dir, { recursive: true, force: true })
        }
      }
      if (r === 0) {
        const diff = differences(pipelineDigest!, scriptDigest!)
        if (diff.length > 0) {
          console.log(`${size} events: the script's outputs differ from the pipeline's:\n${diff.join("\n")}`)
          mismatch = true
          break
        }
        const events = JSON.parse(pipelineDigest!["events (streaming_partitions)"]![0]!) as { rows: number }
        notes.push(
          `${size} events: both sides wrote the same outputs (${events.rows} events, ${pipelineDigest!["rejected"]!.length} rejected lines, ` +
            `${pipelineDigest!["accounting"]!.length} months of accounting, reports ${pipelineDigest!["category_report"]!.length} / ${pipelineDigest!["state_report"]!.length} / ${pipelineDigest!["category_state_report"]!.length} rows)`
        )
      }
    }
    rmSync(template, { recursive: true, force: true })
    if (mismatch) break

    const [f, s, a] = [median(full), median(script), median(append)]
    rows.push({
      question: `${size} events over ${monthCount} months: materialize the whole pipeline vs the hand-written DuckDB script`,
      figure: f,
      baseline: s,
      ratio: `${(f / s).toFixed(2)}x`,
      target: "within 1.15x",
      met: f <= 1.15 * s
    })
    rows.push({
      question: `${size} events: materialize after appending ${appended} (${perMonth} events), CLI start included, vs the full run`,
      figure: a,
      baseline: f,
      ratio: `${((100 * a) / f).toFixed(1)}%`,
      target: "under 10%",
      met: a < 0.1 * f
    })
    const stepList = (steps: ReadonlyMap<string, { n: number; s: number }>) =>
      [...steps].map(([asset, { n, s }]) => `${asset}${n > 1 ? ` ×${n}` : ""} ${s.toFixed(1)}`).join(", ")
    notes.push(
      `${size} events, pipeline steps in its last full run (s, the sum of the printed durations, two at once; its own run ${lastFull!.runSeconds.toFixed(1)} s of the process's ${secs(full[full.length - 1]!)} s): ${stepList(lastFull!.steps)}`
    )
    notes.push(
      `${size} events, appended month (its own run ${lastAppend!.runSeconds.toFixed(1)} s of ${secs(append[append.length - 1]!)} s, ${lastAppend!.count} materialized): ${stepList(lastAppend!.steps)}`
    )
    notes.push(
      `${size} events, script steps in its last run (s): ${Object.entries(lastScript).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(", ")}`
    )
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}

if (mismatch) process.exit(1)

const mb = (x: number) => (timeBin === undefined ? "n/a" : `${x.toFixed(0)} MB`)
console.log(
  `the Sakila pipeline against a hand-written DuckDB script: median of ${runs} alternating round${runs === 1 ? "" : "s"}${quick ? " (--quick)" : ""}; ` +
    `${cpus().length} cores, load at each round ${loads.map((l) => l.toFixed(2)).join(" ")}, now ${loadavg().map((l) => l.toFixed(2)).join(" ")}`
)
for (const n of notes) console.log(n)
console.log("")
console.log("| question | figure s | baseline s | ratio | target | met |")
console.log("|---|---|---|---|---|---|")
for (const r of rows) console.log(`| ${r.question} | ${secs(r.figure)} | ${secs(r.baseline)} | ${r.ratio} | ${r.target} | ${r.met ? "yes" : "no"} |`)
console.log("")
console.log(referenceLoopLine(quick ? 1 : 3))
console.log(
  `peak RSS: pipeline ${mb(rss.pipeline)} (full run), ${mb(rss.appended)} (appended month); script ${mb(rss.script)}; ` +
    `this bench ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`
)
