/**
 * The package as a user gets it: `npm pack`, installed into a project outside the repository, its `assets` command
 * and its library used from there, and `assets init` scaffolding a project that installs and runs too. Real npm,
 * real processes, no mocks. Two `npm install`s (better-sqlite3 compiles from source: about a minute each).
 *
 * The pack runs on a copy of the repository's files in a temporary folder, node_modules hard-linked: `npm pack`
 * runs `prepare`, the build, which deletes and rewrites dist/ where it runs, while other test files run the
 * repository's bin/assets.js (dist/cli). A real folder, not a link to the repository's node_modules, so that the
 * build's source maps and declarations name packages exactly as a build in the repository does.
 */
import { spawn } from "node:child_process"
import {
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { join, relative, sep } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const repo = realpathSync(fileURLToPath(new URL("..", import.meta.url)))
const version = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string }).version

interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * A user's shell, not the test runner's: what `npm test` exports to its script (lowercase npm_*, among them
 * npm_config_local_prefix=<the repository>), vitest's own variables, NODE_OPTIONS (a --conditions flag would
 * resolve the package to sources it does not ship) and the framework's settings (ASSETS_LAKE would move the lake).
 * A user's own NPM_CONFIG_* (a registry, a cache) stay.
 */
const childEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|INIT_CWD$|NODE_OPTIONS$|NODE_ENV$|VITEST|TEST$|ASSETS_|SAKILA_)/.test(k)) continue
    env[k] = v
  }
  return { ...env, NO_COLOR: "1", npm_config_update_notifier: "false" }
}

const run = (command: string, args: ReadonlyArray<string>, cwd: string, timeoutMs: number): Promise<Result> =>
  new Promise((done) => {
    const child = spawn(command, args, { cwd, env: childEnv(), stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => {
      stderr += `\n[test] ${command} ${args.join(" ")} timed out after ${timeoutMs} ms: killed`
      child.kill("SIGKILL")
    }, timeoutMs)
    child.on("error", (e) => {
      clearTimeout(timer)
      done({ code: null, stdout, stderr: `${stderr}\n[test] cannot run ${command}: ${e.message}` })
    })
    child.on("close", (code) => {
      clearTimeout(timer)
      done({ code, stdout, stderr })
    })
  })

/** A failed step shows its command's output. */
const ok = (r: Result, what: string) => {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\n--- stdout\n${r.stdout.slice(-6000)}\n--- stderr\n${r.stderr.slice(-6000)}`)
  return r
}

const npm = (args: ReadonlyArray<string>, cwd: string, timeoutMs = 240_000) => run("npm", args, cwd, timeoutMs)
/** `--no`: the project's own `assets`, never one fetched from the registry */
const assets = (args: ReadonlyArray<string>, cwd: string, timeoutMs = 120_000) => run("npx", ["--no", "assets", ...args], cwd, timeoutMs)

const install = (cwd: string) => npm(["install", "--no-audit", "--no-fund", "--prefer-offline"], cwd, 300_000)

interface StatusSummary {
  readonly asset: string
  readonly status: string
  readonly partitions: ReadonlyArray<{ readonly partition: string | null; readonly status: string }>
}

/** every asset and every partition FRESH, and which assets there are */
const expectAllFresh = (r: Result, keys: ReadonlyArray<string>) => {
  const summaries = JSON.parse(ok(r, "assets status --json").stdout) as ReadonlyArray<StatusSummary>
  expect(summaries.map((s) => s.asset).sort()).toEqual([...keys].sort())
  const notFresh = summaries.flatMap((s) => [s, ...s.partitions].filter((p) => p.status !== "FRESH").map(() => s.asset))
  expect(notFresh, JSON.stringify(summaries, null, 2).slice(0, 4000)).toEqual([])
  return summaries
}

/** Files of a project a user would look at: everything but node_modules, except the compiled configuration. */
const projectFiles = (root: string): ReadonlyArray<string> => {
  const out: Array<string> = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name === "node_modules") {
          for (const kept of [".cache", ".package-lock.json"]) if (existsSync(join(path, kept))) (statSync(join(path, kept)).isDirectory() ? walk(join(path, kept)) : out.push(join(path, kept)))
          continue
        }
        walk(path)
      } else if (entry.isFile()) out.push(path)
    }
  }
  walk(root)
  return out
}

/** Every file under a folder. */
const allFiles = (root: string): ReadonlyArray<string> =>
  readdirSync(root, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? allFiles(join(root, e.name)) : e.isFile() ? [join(root, e.name)] : []
  )

/**
 * No file of the project names the repository (the tarball lives outside it, so not even the dependency does),
 * nor does the installed package name the folder it was built in.
 */
const expectNoRepositoryPath = (root: string, builtIn: string) => {
  const files = projectFiles(root)
  expect(files.length).toBeGreaterThan(3)
  const leaks = files.filter((f) => readFileSync(f).toString("latin1").includes(repo))
  expect(leaks.map((f) => relative(root, f))).toEqual([])
  const installed = allFiles(join(root, "node_modules", "sakila-assets"))
  expect(installed.length).toBeGreaterThan(100)
  const named = installed.filter((f) => {
    const text = readFileSync(f).toString("latin1")
    return text.includes(repo) || text.includes(builtIn)
  })
  expect(named.map((f) => relative(root, f))).toEqual([])
}

/**
 * A copy of a folder whose files are hard links (a copy where the file system cannot link): fast, and a real
 * folder. Symbolic links (node_modules/.bin) are made again as they are.
 */
const linkTree = (from: string, to: string) => {
  mkdirSync(to, { recursive: true })
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name)
    const target = join(to, entry.name)
    if (entry.isDirectory()) linkTree(source, target)
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target)
    else if (entry.isFile()) {
      try {
        linkSync(source, target)
      } catch {
        copyFileSync(source, target)
      }
    }
  }
}

/** The user's own project: three assets of its own, importing only "sakila-assets" and "effect". */
const userConfig = `import { Effect, Schema } from "effect"
import { Column, defineAsset, defineProject, embedded, Lake, monthly } from "sakila-assets"

const quarter = monthly({ start: "2024-01", end: "2024-03" })

/** three sensors, one reading a day each, the same numbers for a month every time */
const readingsCsv = (month: string) => {
  const lines = ["sensor,day,celsius"]
  for (const sensor of ["north", "south", "roof"]) {
    for (let day = 1; day <= 28; day++) lines.push(\`\${sensor},\${month}-\${String(day).padStart(2, "0")},\${(day * 7 + sensor.length * 3 + Number(month.slice(5))) % 30}\`)
  }
  return lines.join("\\n") + "\\n"
}

export const readings = defineAsset({
  key: "readings",
  zone: "landing",
  format: "csv",
  partitions: quarter,
  schema: Schema.Struct({ sensor: Column.text, day: Column.text, celsius: Column.text }),
  codeVersion: "readings-1",
  compute: (ctx) => Effect.flatMap(Lake, (lake) => lake.write(ctx.outputPath, new TextEncoder().encode(readingsCsv(ctx.partition!))))
})

export const monthlyMeans = defineAsset({
  key: "monthly_means",
  partitions: quarter,
  deps: { readings },
  schema: Schema.Struct({ sensor: Column.text, days: Column.bigint, mean_celsius: Column.double }),
  sql: ({ inputs }) => \`SELECT sensor, CAST(count(*) AS BIGINT) AS days, avg(CAST(celsius AS DOUBLE)) AS mean_celsius
    FROM \${inputs.readings} GROUP BY sensor\`
})

export const sensorSummary = defineAsset({
  key: "sensor_summary",
  deps: { means: monthlyMeans },
  schema: Schema.Struct({ sensor: Column.text, months: Column.bigint, warmest: Column.double }),
  sql: ({ inputs }) => \`SELECT sensor, CAST(count(*) AS BIGINT) AS months, max(mean_celsius) AS warmest
    FROM \${inputs.means} GROUP BY sensor\`
})

export default defineProject({ name: "sensors", assets: [readings, monthlyMeans, sensorSummary], layer: embedded() })
`

/** Whether `npm` runs here at all: the test needs it, and fails (never skips) without it. */
const npmVersion = await run("npm", ["--version"], tmpdir(), 30_000)

describe("the package (npm pack, installed outside the repository)", () => {
  let work = ""
  let stage = ""
  let builtIn = ""
  let tarball = ""
  let entries: ReadonlyArray<string> = []
  const user = () => join(work, "user-project")
  const scaffold = () => join(work, "scaffolded")

  beforeAll(() => {
    work = realpathSync(mkdtempSync(join(tmpdir(), "sakila-package-")))
    // where the repository is copied and packed: apart from the projects, so they never find its node_modules
    stage = realpathSync(mkdtempSync(join(tmpdir(), "sakila-pack-source-")))
    builtIn = join(stage, "sakila-assets")
  })

  afterAll(() => {
    if (stage) rmSync(stage, { recursive: true, force: true })
    if (work && process.env["SAKILA_KEEP_PACKAGE_TEST"] !== "1") rmSync(work, { recursive: true, force: true })
  })

  it("npm is here", () => {
    expect(npmVersion.code, `npm is needed to pack and install the package: ${npmVersion.stderr}`).toBe(0)
    expect(work.startsWith(repo + sep)).toBe(false)
  })

  it("packs: the library build, the bundled command, the page and the template; no tests, no Sakila, no sources", { timeout: 300_000 }, async () => {
    // the repository as it is now (the files being edited too), without what it built or ran
    const skip = new Set(["node_modules", "dist", ".git", "lake", ".assets", "screenshots"])
    for (const entry of readdirSync(repo)) {
      if (skip.has(entry)) continue
      cpSync(join(repo, entry), join(builtIn, entry), { recursive: true, filter: (src) => !src.split(sep).includes("node_modules") })
    }
    linkTree(join(repo, "node_modules"), join(builtIn, "node_modules"))
    ok(await npm(["pack", "--pack-destination", work], builtIn, 280_000), "npm pack (with its prepare build)")
    rmSync(stage, { recursive: true, force: true })
    tarball = join(work, `sakila-assets-${version}.tgz`)
    expect(existsSync(tarball), readdirSync(work).join(", ")).toBe(true)

    entries = ok(await run("tar", ["-tzf", tarball], work, 60_000), "tar -tzf").stdout.split("\n").filter((l) => l !== "" && !l.endsWith("/"))
    const files = entries.map((e) => e.replace(/^package\//, ""))
    for (const needed of [
      "package.json",
      "README.md",
      "bin/assets.js",
      "dist/entries/index.js",
      "dist/entries/index.d.ts",
      "dist/entries/duckdb.js",
      "dist/entries/duckdb.d.ts",
      "dist/cli/main.js",
      "dist/cli/shared-exports.json",
      "dist/page/index.html",
      "dist/page/app.js",
      "dist/page/style.css",
      "templates/project/assets.config.ts",
      "templates/project/README.md",
      "templates/project/gitignore"
    ]) {
      expect(files, needed).toContain(needed)
    }
    // the page ships built: its sources stay behind
    expect(files.filter((f) => f.startsWith("ui-api/page/"))).toEqual([])
    expect(files.filter((f) => /^(tests|assets|bench|scripts|\.ci)\//.test(f) || f.startsWith("dist/tests/") || f.startsWith("dist/assets/"))).toEqual([])
    expect(files.filter((f) => f === "assets.config.ts" || f.startsWith("dist/bin/") || f === ".tsbuildinfo" || f.endsWith(".tsbuildinfo"))).toEqual([])
    // TypeScript only as declarations; the one exception is the scaffold's configuration, which init copies
    expect(files.filter((f) => /\.(ts|mts|cts|tsx)$/.test(f) && !/\.d\.(ts|mts|cts)$/.test(f) && f !== "templates/project/assets.config.ts")).toEqual([])
  })

  it("installs into a project of its own, outside the repository, whose assets materialize and then are fresh", { timeout: 420_000 }, async () => {
    expect(tarball).not.toBe("")
    mkdirSync(user())
    writeFileSync(
      join(user(), "package.json"),
      `${JSON.stringify({ name: "sensors", version: "1.0.0", private: true, type: "module", dependencies: { "sakila-assets": `file:${tarball}` } }, null, 2)}\n`
    )
    writeFileSync(join(user(), "assets.config.ts"), userConfig)
    ok(await install(user()), "npm install (the user project)")
    expect(realpathSync(join(user(), "node_modules", "sakila-assets")).startsWith(repo)).toBe(false)

    const first = ok(await assets(["materialize", "sensor_summary"], user()), "assets materialize sensor_summary")
    expect(first.stdout).toMatch(/Done: 7 materialized, 0 fresh after upstream re-ran, 0 failed/)
    expectAllFresh(await assets(["status", "--json"], user()), ["readings", "monthly_means", "sensor_summary"])

    const second = JSON.parse(ok(await assets(["materialize", "sensor_summary", "--json"], user()), "second materialize").stdout) as {
      status: string
      outcomes: ReadonlyArray<unknown>
      fresh: ReadonlyArray<unknown>
    }
    expect(second).toMatchObject({ status: "SUCCESS", outcomes: [] })
    expect(second.fresh).toHaveLength(7)

    const preview = ok(await assets(["preview", "sensor_summary"], user()), "assets preview")
    expect(preview.stdout).toMatch(/north\s+3\s/)
  })

  it("the library: plain node imports sakila-assets from the project's node_modules (dist/, not sources)", { timeout: 60_000 }, async () => {
    const program = `
      import { Column, defineAsset, monthly } from "sakila-assets"
      import { Schema } from "effect"
      const a = defineAsset({ key: "x", partitions: monthly({ start: "2024-01" }), schema: Schema.Struct({ n: Column.int }), sql: () => "SELECT 1 AS n" })
      console.log(JSON.stringify({ resolved: import.meta.resolve("sakila-assets"), key: a.key, codeVersion: a.codeVersion }))`
    writeFileSync(join(user(), "program.mjs"), program)
    const r = ok(await run(process.execPath, ["program.mjs"], user(), 50_000), "node program.mjs")
    const out = JSON.parse(r.stdout.trim()) as { resolved: string; key: string; codeVersion: string }
    expect(fileURLToPath(out.resolved)).toBe(join(realpathSync(join(user(), "node_modules", "sakila-assets")), "dist", "entries", "index.js"))
    expect(out.key).toBe("x")
    expect(out.codeVersion).toMatch(/^[0-9a-f]{8,}$/)
  })

  it("assets init scaffolds a project that installs and materializes", { timeout: 420_000 }, async () => {
    const made = ok(await assets(["init", scaffold(), "--package", `file:${tarball}`], user()), "assets init")
    for (const f of ["package.json", "assets.config.ts", "README.md", ".gitignore"]) {
      expect(made.stdout).toContain(f)
      expect(existsSync(join(scaffold(), f)), f).toBe(true)
    }
    expect(made.stdout).toContain("npx assets materialize sales_report")
    const manifest = JSON.parse(readFileSync(join(scaffold(), "package.json"), "utf8")) as Record<string, any>
    expect(manifest).toMatchObject({ name: "scaffolded", private: true, type: "module", scripts: { materialize: "assets materialize sales_report" } })
    expect(manifest["dependencies"]["sakila-assets"]).toBe(`file:${tarball}`)
    expect(readFileSync(join(scaffold(), ".gitignore"), "utf8").split("\n")).toEqual(expect.arrayContaining(["node_modules/", "lake/", ".assets/"]))

    // a folder that is not empty is refused, and left as it was
    const again = await assets(["init", scaffold()], user())
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/not empty/)

    ok(await install(scaffold()), "npm install (the scaffolded project)")
    const first = ok(await assets(["materialize", "sales_report"], scaffold()), "assets materialize sales_report (scaffold)")
    expect(first.stdout).toMatch(/✓ sales_report\s+\S+\s+\d+ rows/)
    expectAllFresh(await assets(["status", "--json"], scaffold()), ["orders", "monthly_sales", "sales_report"])
    ok(await npm(["run", "materialize"], scaffold(), 120_000), "npm run materialize (scaffold)")
  })

  it("no file of either project names the repository", () => {
    expectNoRepositoryPath(user(), builtIn)
    expectNoRepositoryPath(scaffold(), builtIn)
  })
})
