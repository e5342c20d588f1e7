/**
 * How long does the `assets` command take to start? Wall time of whole processes on the embedded default (the
 * Sakila project in this folder, a lake and a state folder of the bench's own): `--help`, `list`, a no-op
 * `materialize category_report` (everything fresh) and `status`, against `node -e 0` measured in the same run.
 * Each round runs every command once, in a rotating order, so a noisy neighbour weighs on all of them; the
 * figures are medians. The lake is filled once before timing (a first `materialize`, not timed).
 *
 *   npx tsx bench/cli.ts             (10 rounds)
 *   npx tsx bench/cli.ts --quick     (2 rounds: what the test suite runs so the bench cannot rot)
 *   npx tsx bench/cli.ts --bin <file> (time another entry point, e.g. an older build, against the same baseline)
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { referenceLoopLine } from "./referenceLoop.js"

const args = process.argv.slice(2)
const quick = args.includes("--quick")
const binAt = args.indexOf("--bin")
const bin = resolve(binAt >= 0 ? args[binAt + 1]! : "bin/assets.js")
const rounds = quick ? 2 : Number(process.env["BENCH_RUNS"] ?? 10)

const work = mkdtempSync(join(tmpdir(), "bench-cli-"))
const env = {
  ...process.env,
  ASSETS_LAKE: join(work, "lake"),
  ASSETS_STATE_DIR: join(work, "state"),
  ASSETS_STREAM_FEED: "simulated",
  // a small landing zone: the bench times start-up, not the pipeline
  ASSETS_STREAM_FROM: "2023-01",
  ASSETS_STREAM_TO: "2023-02",
  ASSETS_STREAM_EVENTS_PER_MONTH: "200"
}

const run = (argv: ReadonlyArray<string>): { ms: number; stdout: string } => {
  const t0 = performance.now()
  const p = spawnSync(process.execPath, argv, { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
  const ms = performance.now() - t0
  if (p.status !== 0) throw new Error(`${argv.join(" ")} exited ${p.status}:\n${p.stderr}`)
  return { ms, stdout: p.stdout }
}

interface Side {
  readonly name: string
  readonly argv: ReadonlyArray<string>
  readonly target: number | undefined
  /** what the output must say, so a broken command cannot pass for a fast one */
  readonly says: RegExp
}

const sides: ReadonlyArray<Side> = [
  { name: "node -e 0 (baseline)", argv: ["-e", "0"], target: undefined, says: /^$/ },
  { name: "assets --help", argv: [bin, "--help"], target: 300, says: /materialize/ },
  { name: "assets list", argv: [bin, "list"], target: 1000, says: /category_report/ },
  { name: "assets materialize category_report (no-op)", argv: [bin, "materialize", "category_report"], target: 1000, says: /nothing to materialize/ },
  { name: "assets status", argv: [bin, "status"], target: undefined, says: /FRESH/ }
]

try {
  const fill = performance.now()
  run([bin, "materialize", "category_report"])
  const fillMs = performance.now() - fill

  const times = new Map<string, Array<number>>(sides.map((s) => [s.name, []]))
  const loads: Array<number> = []
  for (let r = 0; r < rounds; r++) {
    loads.push(loadavg()[0]!)
    for (let i = 0; i < sides.length; i++) {
      const side = sides[(i + r) % sides.length]!
      const { ms, stdout } = run(side.argv)
      if (!side.says.test(stdout)) throw new Error(`${side.name} did not print ${side.says}:\n${stdout.slice(0, 2000)}`)
      times.get(side.name)!.push(ms)
    }
  }

  const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const base = median(times.get(sides[0]!.name)!)
  console.log(`assets start-up, ${bin}: median of ${rounds} rounds; ${cpus().length} cores, load ${loads.map((l) => l.toFixed(2)).join(" ")}`)
  console.log(`(the lake was filled first by one materialize: ${(fillMs / 1000).toFixed(1)} s, not timed)`)
  console.log("")
  console.log("| command | median ms | min ms | over node -e 0 | target ms | met |")
  console.log("|---|---|---|---|---|---|")
  for (const side of sides) {
    const xs = times.get(side.name)!
    const m = median(xs)
    const ratio = side.target === undefined && side === sides[0] ? "1.0x" : `${(m / base).toFixed(1)}x`
    const met = side.target === undefined ? "" : m < side.target ? "yes" : "no"
    console.log(`| ${side.name} | ${m.toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${ratio} | ${side.target ?? ""} | ${met} |`)
  }
  console.log(referenceLoopLine(quick ? 1 : 3))
} finally {
  rmSync(work, { recursive: true, force: true })
}
