import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, describe, expect, it } from "vitest"

// What `assets` does before it loads a project: help, version and usage errors never load it.
const root = resolve(import.meta.dirname, "..")
const dir = mkdtempSync(join(tmpdir(), "cli-start-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// a configuration that leaves a mark when it is loaded
const marker = join(dir, "loaded")
writeFileSync(
  join(dir, "assets.config.ts"),
  `import { writeFileSync } from "node:fs"\nimport { defineProject, embedded } from "sakila-assets"\nwriteFileSync(${JSON.stringify(marker)}, "")\nexport default defineProject({ name: "marked", assets: [], layer: embedded() })\n`
)

const assets = (...args: Array<string>) =>
  spawnSync(process.execPath, [join(root, "bin/assets.js"), ...args], { cwd: dir, encoding: "utf8", env: { PATH: process.env["PATH"], HOME: process.env["HOME"] } })

describe("the assets command before a project", () => {
  it("help, version and usage errors answer without loading the project", () => {
    for (const [args, code] of [
      [["--help"], 0],
      [["-h"], 0],
      [["materialize", "--help"], 0],
      [["backfill", "list", "--help"], 0],
      [["--version"], 0],
      [["materialize", "--concurrency", "zero", "x"], 2],
      [["status", "--no-such-option"], 2],
      [["backfill", "cancel"], 2]
    ] as const) {
      const run = assets(...args)
      expect(run.status, `${args.join(" ")}: ${run.stderr}`).toBe(code)
      expect(existsSync(marker), `${args.join(" ")} loaded the project`).toBe(false)
    }
  })

  it("the help printed at once is the help the commands render", () => {
    const rendered = spawnSync(process.execPath, [join(root, "dist/cli/main.js"), "materialize", "--help"], { cwd: dir, encoding: "utf8" })
    expect(rendered.status).toBe(0)
    expect(assets("materialize", "--help").stdout).toBe(rendered.stdout)
    expect(assets("--help").stdout).toContain("materialize")
    expect(assets("--version").stdout.trim()).toBe((JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version)
  })

  it("a command that needs the project loads it (and only then)", () => {
    const run = assets("list")
    expect(run.status, run.stderr).toBe(0)
    expect(existsSync(marker)).toBe(true)
  })

  it("a DuckDB setting it cannot take stops the command at start, naming the variable", () => {
    for (const [value, said] of [
      ["abc", "Expected an integer value"],
      ["0", "give a whole number of threads, at least 1"]
    ]) {
      const run = spawnSync(process.execPath, [join(root, "bin/assets.js"), "list"], {
        cwd: dir,
        encoding: "utf8",
        env: { PATH: process.env["PATH"], HOME: process.env["HOME"], ASSETS_DUCKDB_THREADS: value }
      })
      expect(run.status, run.stderr).toBe(1)
      expect(run.stderr).toContain(`Invalid data at ASSETS_DUCKDB_THREADS: "${said}`)
    }
  })

  it("on the embedded default, list and a no-op materialize load neither the AWS SDK, mysql2 nor DuckDB", () => {
    const project = join(dir, "one")
    mkdirSync(project)
    writeFileSync(
      join(project, "assets.config.ts"),
      `import { Schema } from "effect"\nimport { Column, defineAsset, defineProject, embedded } from "sakila-assets"\nconst one = defineAsset({ key: "one", schema: Schema.Struct({ n: Column.int }), sql: () => "SELECT 1 AS n" })\nexport default defineProject({ name: "one", assets: [one], layer: embedded() })\n`
    )
    // every module the process loads: those it imports, logged by a resolve hook, and at exit those it required
    // (the bundled command requires its packages, and require passes no hook)
    const log = join(dir, "imports.log")
    writeFileSync(join(dir, "hooks.mjs"), `import { appendFileSync } from "node:fs"\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + "\\n"); return r }\n`)
    writeFileSync(
      join(dir, "register.mjs"),
      `import { appendFileSync } from "node:fs"\nimport { createRequire, register } from "node:module"\nregister("./hooks.mjs", import.meta.url)\nconst required = createRequire(import.meta.url).cache\nprocess.on("exit", () => appendFileSync(${JSON.stringify(log)}, Object.keys(required).join("\\n") + "\\n"))\n`
    )
    const traced = (...args: Array<string>) => {
      rmSync(log, { force: true })
      const run = spawnSync(process.execPath, ["--import", join(dir, "register.mjs"), join(root, "bin/assets.js"), ...args], {
        cwd: project,
        encoding: "utf8",
        env: { PATH: process.env["PATH"], HOME: process.env["HOME"] }
      })
      expect(run.status, run.stderr).toBe(0)
      return { out: run.stdout, imports: readFileSync(log, "utf8") }
    }
    const listed = traced("list")
    expect(listed.imports).toContain("dist/cli/main.js")
    for (const heavy of ["@aws-sdk", "mysql2", "@duckdb"]) expect(listed.imports, `list loaded ${heavy}`).not.toContain(heavy)
    // the first run queries DuckDB; the second has nothing to do
    expect(traced("materialize", "one").imports).toContain("@duckdb")
    const noop = traced("materialize", "one")
    expect(noop.out).toContain("nothing to materialize")
    for (const heavy of ["@aws-sdk", "mysql2", "@duckdb"]) expect(noop.imports, `a no-op materialize loaded ${heavy}`).not.toContain(heavy)
  })
})
