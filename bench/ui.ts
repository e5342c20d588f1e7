/**
 * How fast does the web page first show the graph and an asset, at scale, in Chromium? Two projects served on
 * loopback by the real server: 1,000 assets in 20 groups (half of them monthly over ten years), and one asset with
 * 10,000 daily partitions over a source that has them all. Each row times a fresh page from navigation to its view
 * ready (graph drawn and coloured; asset page with its health bar, causes and history), median of the rounds,
 * against the same browser loading GET /api/health in the same round (the baseline), sides alternating.
 * Targets: the graph under 2 s for 1,000 assets; the asset page under 2 s with 10,000 partitions. Also printed:
 * what the browser receives for the partitions (a health bar of buckets, not the partition space).
 *
 *   npx tsx bench/ui.ts            (BENCH_ROUNDS=5)
 *   npx tsx bench/ui.ts --quick    (200 assets, 2,000 partitions, 2 rounds: what the test suite runs)
 */
import { mkdtempSync, rmSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, ManagedRuntime, Schema, Scope } from "effect"
import type { Browser } from "playwright-core"
import { chromium } from "playwright-core"
import { defineAsset, defineSource, type AnyAssetDef } from "../runtime/asset/Asset.js"
import { Column } from "../runtime/asset/columns.js"
import { daily, monthly } from "../runtime/partitions/TimeWindowPartitions.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { contextAt } from "../runtime/partitions/PartitionsDefinition.js"
import { defineProject } from "../runtime/project/Project.js"
import { embedded } from "../resources/presets.js"
import * as Auth from "../ui-api/auth.js"
import { apiLayer } from "../ui-api/layer.js"
import { listen } from "../ui-api/server.js"
import { referenceLoopLine } from "./referenceLoop.js"

const quick = process.argv.includes("--quick")
const ASSETS = quick ? 200 : 1000
const GROUPS = quick ? 8 : 20
const PARTITIONS = quick ? 2000 : 10_000
const ROUNDS = quick ? 2 : Number(process.env["BENCH_ROUNDS"] ?? 5)
const TARGET_MS = 2000
const CHROMIUM = "/usr/bin/chromium"

const Row = Schema.Struct({ n: Column.bigint })
const tenYears = monthly({ start: "2014-01", end: "2023-12" })

/** A seeded generator: every run draws the same graph. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** `size` assets in `groups` groups, each reading up to three earlier ones (mostly of its own group), one in fifty a source. */
const manyAssets = (size: number, groups: number): ReadonlyArray<AnyAssetDef> => {
  const random = rng(11)
  const assets: Array<AnyAssetDef> = []
  const per = Math.ceil(size / groups)
  for (let i = 0; i < size; i++) {
    const key = `a${String(i).padStart(5, "0")}`
    const group = `group_${String(Math.floor(i / per)).padStart(2, "0")}`
    const partitioned = random() < 0.5
    if (i % per === 0 || random() < 0.02) {
      assets.push(
        defineSource({
          key,
          group,
          ...(partitioned ? { partitions: tenYears } : {}),
          observe: Effect.succeed(
            partitioned
              ? { _tag: "Partitioned" as const, partitions: new Map(tenYears.keys(contextAt()).map((p: PartitionKey) => [p, `${key}@${p}`] as const)) }
              : { _tag: "Whole" as const, dataVersion: `${key}@` }
          )
        }) as AnyAssetDef
      )
      continue
    }
    const deps: Record<string, AnyAssetDef> = {}
    const first = Math.floor(i / per) * per
    for (let d = 0; d < 1 + Math.floor(random() * 3); d++) {
      // nine in ten from its own group, the rest from anywhere before
      const j = random() < 0.9 ? first + Math.floor(random() * (i - first)) : Math.floor(random() * i)
      deps[`in${d}`] = assets[j]!
    }
    assets.push(
      defineAsset({ key, group, ...(partitioned ? { partitions: tenYears } : {}), deps, schema: Row, sql: ({ inputs }) => `SELECT count(*)::BIGINT AS n FROM ${Object.values(inputs)[0]}` }) as AnyAssetDef
    )
  }
  return assets
}

/** One asset over a source with `count` daily partitions, every one of them observed. */
const manyPartitions = (count: number): ReadonlyArray<AnyAssetDef> => {
  const end = new Date(Date.UTC(1990, 0, 1) + (count - 1) * 86_400_000).toISOString().slice(0, 10)
  const days = daily({ start: "1990-01-01", end })
  const keys = days.keys(contextAt())
  if (keys.length !== count) throw new Error(`expected ${count} days, the definition has ${keys.length}`)
  const source = defineSource({
    key: "readings",
    group: "sensors",
    partitions: days,
    observe: Effect.succeed({ _tag: "Partitioned" as const, partitions: new Map(keys.map((p: PartitionKey) => [p, `v${p}`] as const)) })
  })
  const asset = defineAsset({ key: "daily_means", group: "sensors", partitions: days, deps: { readings: source }, schema: Row, sql: ({ inputs }) => `SELECT count(*)::BIGINT AS n FROM ${inputs["readings"]}` })
  return [source, asset] as ReadonlyArray<AnyAssetDef>
}

/** The API and the page over a project in a temp folder, on a free loopback port, for the life of the scope. */
const serve = async (name: string, assets: ReadonlyArray<AnyAssetDef>) => {
  const dir = mkdtempSync(join(tmpdir(), "assets-bench-ui-"))
  const project = defineProject({ name, assets, layer: embedded({ lake: join(dir, "lake"), state: join(dir, "state") }) })
  const runtime = ManagedRuntime.make(apiLayer(project, Auth.layer({ host: "127.0.0.1" })))
  const scope = Effect.runSync(Scope.make())
  const { url } = await Effect.runPromise(Scope.extend(listen(runtime, { host: "127.0.0.1", port: 0 }), scope))
  return {
    url,
    close: async () => {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      await runtime.dispose()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** ms from navigation to `ready` in a fresh page (`ready` a selector, or the load of the document for the baseline) */
const timeTo = async (browser: Browser, url: string, ready: string | undefined): Promise<number> => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } })
  const errors: Array<string> = []
  page.on("pageerror", (e) => errors.push(e.message))
  const started = performance.now()
  await page.goto(url)
  if (ready !== undefined) await page.waitForSelector(ready, { timeout: 60_000 })
  const ms = performance.now() - started
  await page.close()
  if (errors.length > 0) throw new Error(`${url}: ${errors.join("; ")}`)
  return ms
}

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

interface Row {
  readonly label: string
  readonly ms: number
  readonly baseline: number
}

/** Alternates the baseline and the measured side, round after round; medians of each. */
const measure = async (browser: Browser, label: string, baseUrl: string, url: string, ready: string): Promise<Row> => {
  // one page first, unmeasured: the server's first answers (project loaded, page built) are not what is asked
  await timeTo(browser, url, ready)
  const ms: Array<number> = []
  const base: Array<number> = []
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      base.push(await timeTo(browser, `${baseUrl}/api/health`, undefined))
      ms.push(await timeTo(browser, url, ready))
    } else {
      ms.push(await timeTo(browser, url, ready))
      base.push(await timeTo(browser, `${baseUrl}/api/health`, undefined))
    }
  }
  return { label, ms: median(ms), baseline: median(base) }
}

const main = async () => {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
  })
  const rows: Array<Row> = []
  let payload = ""
  try {
    const many = await serve("many-assets", manyAssets(ASSETS, GROUPS))
    try {
      rows.push(await measure(browser, `graph of ${ASSETS} assets in ${GROUPS} groups`, many.url, `${many.url}/`, "#view[data-ready=true] #graph .node"))
      const key = `a${String(ASSETS - 1).padStart(5, "0")}`
      rows.push(await measure(browser, `asset page, one of ${ASSETS} assets`, many.url, `${many.url}/assets/${key}`, "#view[data-ready=true] .asset-page"))
    } finally {
      await many.close()
    }
    const wide = await serve("many-partitions", manyPartitions(PARTITIONS))
    try {
      rows.push(await measure(browser, `graph with an asset of ${PARTITIONS} partitions`, wide.url, `${wide.url}/`, "#view[data-ready=true] #graph .node"))
      rows.push(await measure(browser, `asset page with ${PARTITIONS} partitions`, wide.url, `${wide.url}/assets/daily_means`, "#view[data-ready=true] .hb-cell"))
      const health = await (await fetch(`${wide.url}/api/assets/daily_means/health?buckets=200`)).text()
      const all = await (await fetch(`${wide.url}/api/assets/daily_means/partitions`)).text()
      const buckets = (JSON.parse(health) as { buckets: Array<unknown> }).buckets.length
      payload = `the page's health bar: ${buckets} buckets in ${(health.length / 1024).toFixed(1)} KB, where the whole partition list would be ${(all.length / 1024).toFixed(0)} KB`
    } finally {
      await wide.close()
    }
  } finally {
    await browser.close()
  }
  console.log(`\nTime to first render in Chromium (median of ${ROUNDS} rounds, sides alternating; baseline: the same browser loading GET /api/health)\n`)
  console.log("| what | ms | baseline ms | ratio | target | met |")
  console.log("|---|---|---|---|---|---|")
  for (const r of rows) {
    console.log(`| ${r.label} | ${r.ms.toFixed(0)} | ${r.baseline.toFixed(0)} | ${(r.ms / r.baseline).toFixed(1)}x | under ${TARGET_MS} ms | ${r.ms < TARGET_MS ? "yes" : "no"} |`)
  }
  console.log(`\n${payload}`)
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
  console.log(referenceLoopLine(quick ? 1 : 3))
  console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (the server; Chromium runs apart)`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
