import { spawn } from "node:child_process"
import { cpSync, existsSync, readdirSync, rmSync, statSync } from "node:fs"
import { basename, extname, join, resolve, sep } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { sakilaAssets } from "../../assets/index.js"
import { outputPath } from "../../runtime/asset/Asset.js"
import type { AssetKey } from "../../runtime/asset/AssetKey.js"
import { Engine } from "../../runtime/engine/Engine.js"
import { EventStore } from "../../runtime/events/EventStore.js"
import type { Materialization } from "../../runtime/events/records.js"
import type { CrashPoint } from "../../runtime/execute/crashPoint.js"
import { upstreamClosure } from "../../runtime/execute/materialize.js"
import { outputsOf } from "../../runtime/execute/outputs.js"
import { Lake } from "../../runtime/lake/Lake.js"
import { appendEvents } from "../../assets/generated/simulateStreams.js"
import { landStreams } from "../../assets/feed/landStreams.js"
import { recordAgreement } from "../support/recordAgreement.js"
import { tempDir, testProject, type TestProject } from "../support/testProject.js"
import { seededRandom } from "../support/seededRandom.js"

/**
 * Issue 13, kill points: the Sakila job (`materialize category_report,state_report`) run as the CLI and SIGKILLed at
 * 20 points in one project folder, each kill followed by a check that record and data agree, then a clean re-run
 * whose reports must equal those of an uninterrupted run of the same settings and landed events in another folder.
 * Kills are spread by progress (after the k-th finished step of the plan, k a fraction of it, plus jitter) and land
 * in the three windows of the commit (after-persist, after-record, after-publish, at different n); when the folder
 * has too little left to do for the next kill, more partner events are landed or the run is forced.
 */

const bin = resolve("bin/assets.js")
const job = "category_report,state_report"
const reports = ["category_report", "state_report"] as const
const arrivalMonths = ["2023-01", "2023-02", "2023-03", "2023-04"]

type Kill = { readonly _tag: "progress"; readonly fraction: number } | { readonly _tag: "point"; readonly point: CrashPoint; readonly n: number }
const progress = (fraction: number): Kill => ({ _tag: "progress", fraction })
const point = (p: CrashPoint, n: number): Kill => ({ _tag: "point", point: p, n })

// 11 by progress, 3 in each window of the commit
const kills: ReadonlyArray<Kill> = [
  progress(0.15), point("after-persist", 1), progress(0.5), point("after-record", 2), progress(0.8),
  point("after-publish", 1), progress(0.3), point("after-persist", 3), progress(0.65), point("after-record", 1),
  progress(0.1), point("after-publish", 4), progress(0.45), point("after-persist", 2), progress(0.9),
  point("after-record", 4), progress(0.25), point("after-publish", 2), progress(0.6), progress(0.75)
]

/**
 * The project's settings: 3 months of 2,500 simulated events, and the default lease time (30 s): a re-run takes
 * over a killed runner's leases at once, so it neither waits for them nor leaves the killed run's records unpublished.
 */
const settings = (dir: string): Record<string, string> => ({
  ASSETS_LAKE: join(dir, "lake"),
  ASSETS_STATE_DIR: join(dir, "state"),
  ASSETS_STREAM_FROM: "2023-01",
  ASSETS_STREAM_TO: "2023-03",
  ASSETS_STREAM_EVENTS_PER_MONTH: "2500",
  ASSETS_STREAM_FEED: "simulated"
})

interface Attempt {
  readonly pid: number
  readonly spawnedAt: number
  readonly signal: NodeJS.Signals | null
  readonly code: number | null
  /** tasks the run planned, and how many it reported finished (✓ or ·) before it died */
  readonly planned: number
  readonly finished: number
  readonly k: number | undefined
  readonly output: string
}

/**
 * Runs the CLI once; a progress kill is sent after the k-th finished step (k = fraction of the plan, at least 1 and
 * at most two less than the plan, so the run is not over) plus up to 40 ms of jitter, a crash point kills itself.
 */
const attempt = (args: ReadonlyArray<string>, env: Record<string, string>, kill: Kill | undefined, jitter: number) =>
  new Promise<Attempt>((done, fail) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env }
    delete childEnv["ASSETS_CRASH_POINT"]
    if (kill?._tag === "point") childEnv["ASSETS_CRASH_POINT"] = `${kill.point}:${kill.n}`
    const spawnedAt = Date.now()
    const child = spawn(process.execPath, [bin, ...args], { env: childEnv, stdio: "pipe" })
    let output = ""
    let pending = ""
    let planned = 0
    let finished = 0
    let k: number | undefined
    let sent = false
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      pending += chunk.toString()
      const lines = pending.split("\n")
      pending = lines.pop()!
      for (const line of lines) {
        const plan = /^Planned (\d+) asset partition/.exec(line)
        if (plan) {
          planned = Number(plan[1])
          if (kill?._tag === "progress") k = Math.max(1, Math.min(planned - 2, Math.round(kill.fraction * planned)))
        }
        if (/^[✓·] /.test(line)) finished++
        if (k !== undefined && !sent && finished >= k) {
          sent = true
          setTimeout(() => child.kill("SIGKILL"), jitter)
        }
      }
    })
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    // a run of this size takes seconds; one that hangs is a failure of its own, not a kill point
    const hung = setTimeout(() => {
      child.kill("SIGKILL")
      fail(new Error(`the run ${args.join(" ")} hung for 90 s:\n${output}`))
    }, 90_000)
    child.once("error", fail)
    child.once("exit", (code, signal) => {
      clearTimeout(hung)
      done({ pid: child.pid!, spawnedAt, signal, code, planned, finished, k, output })
    })
  })

/** Every materialization ever recorded in the project (current or superseded). */
const allMaterializations = (p: TestProject) =>
  p.run(
    Effect.gen(function* () {
      const store = yield* EventStore
      const all: Array<Materialization> = []
      for (const key of p.graph.order) {
        if (p.graph.get(key)._tag === "Asset") all.push(...(yield* store.materializations({ asset: key, limit: 100_000 })))
      }
      return all
    })
  )

/**
 * Version files no record names, with their modification time: `.<name>~<materialization id>` beside their path,
 * and in a lake written before, `.versions/<path>/<materialization id><ext>`.
 */
const orphanVersions = (dir: string, ids: ReadonlySet<string>) => {
  const root = join(dir, "lake")
  if (!existsSync(root)) return []
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.parentPath.includes(`${sep}.staging`))
    .flatMap((e) => {
      const beside = e.name.startsWith(".") && e.name.includes("~")
      const old = e.parentPath.includes(`${sep}.versions`)
      if (!beside && !old) return []
      const id = beside ? e.name.slice(e.name.lastIndexOf("~") + 1) : basename(e.name, extname(e.name))
      return ids.has(id) ? [] : [{ path: join(e.parentPath, e.name), mtimeMs: statSync(join(e.parentPath, e.name)).mtimeMs }]
    })
}

/** whether the lake shows a record at every stable path it recorded (its version's file is the stable one) */
const shown = (dir: string, m: Materialization) =>
  outputsOf(m).every((o) => {
    const [stable, version] = [join(dir, "lake", o.path), join(dir, "lake", o.location)]
    return existsSync(stable) && existsSync(version) && statSync(stable).ino === statSync(version).ino
  })

const staging = (dir: string) => {
  const root = join(dir, "lake", ".staging")
  return existsSync(root) ? readdirSync(root).filter((d) => d !== "_writes") : []
}

/** A report's rows as the stable path shows them, in a canonical order. */
const reportRows = (p: TestProject, key: string) =>
  p.run(
    Effect.gen(function* () {
      const engine = yield* Engine
      const lake = yield* Lake
      const asset = p.graph.get(key as AssetKey)
      if (asset._tag !== "Asset") throw new Error(`${key} is not an asset`)
      const path = lake.locate(outputPath(asset, undefined)).replaceAll("'", "''")
      return yield* engine.query(`SELECT * FROM read_${asset.format === "jsonl" ? "json" : asset.format}('${path}') ORDER BY ALL`)
    })
  )

/**
 * What the job needs that is not FRESH (`asset[partition]: STATUS`), as the CLI says: it runs the assets as the runs
 * did, so an Effect compute's code version (a hash of its transpiled text) is the one they recorded.
 */
const notFresh = async (p: TestProject, env: Record<string, string>) => {
  const keys = new Set<string>(upstreamClosure(p.graph, reports as unknown as ReadonlyArray<AssetKey>))
  const run = await attempt(["status", "--json"], env, undefined, 0)
  expect(run.code, run.output).toBe(0)
  const statuses = JSON.parse(run.output.slice(run.output.indexOf("["))) as ReadonlyArray<{
    asset: string
    partitions: ReadonlyArray<{ partition: string | null; status: string }>
  }>
  expect(statuses.filter((s) => keys.has(s.asset)).length).toBe(keys.size)
  return statuses
    .filter((s) => keys.has(s.asset))
    .flatMap((s) => s.partitions.filter((x) => x.status !== "FRESH").map((x) => `${s.asset}[${x.partition ?? ""}]: ${x.status}`))
}

const agreement = (p: TestProject) => p.run(recordAgreement(p.graph, ["landing/streaming/"]))

describe("kill points", () => {
  it("20 SIGKILLs of the Sakila job, each leaving record and data in agreement; the re-run's reports equal an uninterrupted run's", async () => {
    const t0 = Date.now()
    const seed = Number(process.env["KILL_POINTS_SEED"] ?? Date.now() % 1_000_000)
    const random = seededRandom(seed)
    const dir = tempDir("assets-kill-points-")
    const refDir = tempDir("assets-kill-points-ref-")
    const env = settings(dir)
    const p = testProject({ assets: sakilaAssets, dir })
    const log: Array<string> = []
    let checks = 0
    let survived = 0
    let misses = 0
    let refills = 0
    let landings = 0
    try {
      // what is left of the plan for the next run: the fresh folder plans every asset partition
      let left = Number.POSITIVE_INFINITY
      for (let i = 0, tries = 0; i < kills.length; tries++) {
        expect(tries, `too many runs ended before their kill point:\n${log.join("\n")}`).toBeLessThan(kills.length + 10)
        const kill = kills[i]!
        const need = kill._tag === "progress" ? 4 : kill.n + 3
        let force = false
        if (left < need) {
          // more work, real work: a forced run of the whole job (sources' extracts and clean tables too) every third
          // time, otherwise a new file of events in every arrival month
          refills++
          if (refills % 3 === 0) {
            force = true
          } else {
            landings++
            await p.run(landStreams(arrivalMonths.map((month, m) => appendEvents({ seed: 1000 + 10 * landings + m, month, count: 300 }))))
          }
        }
        const jitter = Math.floor(random() * 40)
        const args = force ? ["materialize", `+${reports.join(",+")}`, "--force"] : ["materialize", job]
        const run = await attempt(args, env, kill, jitter)
        const what = kill._tag === "progress" ? `progress k=${run.k ?? "?"}/${run.planned} +${jitter}ms` : `${kill.point}:${kill.n}`
        const state = await p.run(
          Effect.gen(function* () {
            const store = yield* EventStore
            const runs = yield* store.runs({ limit: 20 })
            return { run: runs.find((r) => r.pid === run.pid), unpublished: yield* store.unpublished }
          })
        )
        expect(state.run, `the process ${run.pid} started a run (${what}):\n${run.output}`).toBeDefined()
        if (run.signal !== "SIGKILL" || state.run!.status !== "STARTED") {
          // the run did all its work before the kill point (or the jitter): not a kill point, and what it left must
          // agree all the same
          if (run.signal !== "SIGKILL") expect(run.code, run.output).toBe(0)
          expect(state.run!.status, run.output).toBe("SUCCESS")
          const after = await agreement(p)
          expect(after.problems, `after a run that ended before its kill (${what})`).toEqual([])
          checks += after.checked
          misses++
          left = 0
          log.push(`  run ${tries + 1}: ${what}${force ? " (forced)" : ""} ended before its kill (${run.planned} planned)`)
          continue
        }

        // the kill landed in real work: its run never ended
        const all = await allMaterializations(p)
        const recorded = all.filter((m) => m.runId === state.run!.id)
        const unpublished = state.unpublished.filter((m) => m.runId === state.run!.id)
        checks++
        // each window is the one asked for
        if (kill._tag === "point") {
          if (kill.point === "after-persist") {
            expect(recorded.length, what).toBeGreaterThanOrEqual(kill.n - 1)
            const orphans = orphanVersions(dir, new Set(all.map((m) => m.id))).filter((o) => o.mtimeMs >= run.spawnedAt)
            expect(orphans.length, `${what}: a version persisted that no record names`).toBeGreaterThan(0)
          } else if (kill.point === "after-record") {
            expect(recorded.length, what).toBeGreaterThanOrEqual(kill.n)
            expect(unpublished.length, `${what}: a record whose publishing the kill cut short`).toBeGreaterThan(0)
          } else {
            // the lake shows them; the store may not say so yet (a run marks what it published with its flush)
            expect(recorded.filter((m) => shown(dir, m)).length, `${what}: its records published`).toBeGreaterThanOrEqual(kill.n)
          }
          checks++
        }
        const after = await agreement(p)
        expect(after.problems, `after kill ${i + 1} (${what})`).toEqual([])
        checks += after.checked
        survived++
        left = force ? 0 : Math.max(0, run.planned - run.finished)
        log.push(
          `  kill ${i + 1}: ${what}${force ? " (forced)" : ""}, ${recorded.length} recorded by the killed run, ${unpublished.length} unpublished, ${after.checked} outputs agree`
        )
        i++
      }

      // the clean re-run, and beside it an uninterrupted run of the same settings over the same landed events
      cpSync(join(dir, "lake", "landing", "streaming"), join(refDir, "lake", "landing", "streaming"), { recursive: true })
      const [final, reference] = await Promise.all([attempt(["materialize", job, "--json"], { ...env, ASSETS_LAKE_RETENTION: "0 millis" }, undefined, 0), attempt(["materialize", job, "--json"], settings(refDir), undefined, 0)])
      for (const r of [final, reference]) {
        expect(r.code, r.output).toBe(0)
        expect(JSON.parse(r.output.slice(r.output.indexOf("{"))).status).toBe("SUCCESS")
      }
      const ref = testProject({ assets: sakilaAssets, dir: refDir })
      try {
        const stale = await Promise.all([notFresh(p, env), notFresh(ref, settings(refDir))])
        expect(stale).toEqual([[], []])
        for (const q of [p, ref]) {
          const done = await agreement(q)
          expect(done.problems).toEqual([])
          checks += done.checked
          expect(await q.run(Effect.flatMap(EventStore, (s) => s.unpublished))).toEqual([])
          checks += 2
        }
        expect(staging(dir)).toEqual([])
        for (const key of reports) {
          const rows = await reportRows(p, key)
          expect(rows.length, key).toBeGreaterThan(0)
          expect(rows, `${key}: the killed project's report against the uninterrupted one`).toEqual(await reportRows(ref, key))
          checks++
        }
        // every asset partition the job needs holds the same data in both folders
        const versions = async (q: TestProject) =>
          Object.fromEntries(
            (await q.run(Effect.flatMap(EventStore, (s) => s.currentMaterializations()))).map((m) => [`${m.asset}[${m.partition ?? ""}]`, m.dataVersion])
          )
        expect(await versions(p)).toEqual(await versions(ref))
        checks++
      } finally {
        await ref.dispose()
      }
      const leftover = orphanVersions(dir, new Set((await allMaterializations(p)).map((m) => m.id))).length

      console.log(
        [
          ...log,
          `kill points: ${survived}/${kills.length} SIGKILLs survived (${kills.filter((k) => k._tag === "progress").length} by progress, ${kills.filter((k) => k._tag === "point").length} in commit windows), ${checks} checks made, ${misses} runs ended before their kill point, ${refills} refills, ${leftover} versions no record names left behind, seed ${seed}, ${((Date.now() - t0) / 1000).toFixed(1)} s`
        ].join("\n")
      )
      expect(survived).toBe(kills.length)
      // the clean re-run swept what the killed runs persisted but never recorded (no retention asked for)
      expect(leftover).toBe(0)
    } catch (e) {
      console.log([...log, `failed after ${survived} kills, seed ${seed} (KILL_POINTS_SEED replays the jitter)`].join("\n"))
      throw e
    } finally {
      await p.dispose()
      rmSync(refDir, { recursive: true, force: true })
    }
  }, 180_000)
})
