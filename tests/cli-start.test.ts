import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
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
    const rendered = spawnSync(process.execPath, [join(root, "dist/cli/help.js"), "materialize", "--help"], { cwd: dir, encoding: "utf8" })
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
})
