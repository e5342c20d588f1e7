import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { sakilaAssets } from "../assets/index.js"

const root = resolve(import.meta.dirname, "..")
const config = join(root, "tests/fixtures/codeVersion.config.ts")
const dir = mkdtempSync(join(tmpdir(), "code-version-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const env = (extra: Record<string, string> = {}) => ({
  ...process.env,
  ASSETS_CONFIG: config,
  ASSETS_LAKE: join(dir, "lake"),
  ASSETS_STATE_DIR: join(dir, "state"),
  ...extra
})

/** Code versions as the bundled CLI sees them: the configuration compiled by esbuild against the CLI's modules. */
const throughCli = (extra: Record<string, string> = {}) => {
  const run = spawnSync(process.execPath, [join(root, "bin/assets.js"), "list", "--json"], { cwd: dir, env: env(extra), encoding: "utf8" })
  return { ...run, versions: run.status === 0 ? versionsOf(JSON.parse(run.stdout) as ReadonlyArray<{ key: string; codeVersion: string | null }>) : {} }
}

/** ...as tsx sees them: the configuration transpiled on the fly, the framework from source. */
const throughTsx = (extra: Record<string, string> = {}) => {
  const script = `const p = (await import(${JSON.stringify(config)})).default; console.log(JSON.stringify(p.graph.order.map((k) => ({ key: k, codeVersion: p.graph.get(k).codeVersion ?? null }))))`
  const run = spawnSync(join(root, "node_modules/.bin/tsx"), ["--conditions=sakila-assets-source", "--input-type=module", "-e", script], { cwd: root, env: env(extra), encoding: "utf8" })
  return { ...run, versions: run.status === 0 ? versionsOf(JSON.parse(run.stdout) as ReadonlyArray<{ key: string; codeVersion: string | null }>) : {} }
}

const versionsOf = (rows: ReadonlyArray<{ key: string; codeVersion: string | null }>) =>
  Object.fromEntries(rows.filter((r) => r.codeVersion !== null).map((r) => [r.key, r.codeVersion!]))

describe("code versions do not depend on the toolchain", () => {
  it("the bundled CLI, tsx and vitest give every asset the same code version", async () => {
    const cli = throughCli()
    expect(cli.status, cli.stderr).toBe(0)
    const tsx = throughTsx()
    expect(tsx.status, tsx.stderr).toBe(0)
    // vitest: Vite's own transform of the same file, in this process
    const project = (await import("./fixtures/codeVersion.config.js")).default
    const vite = Object.fromEntries(project.graph.order.flatMap((k) => {
      const d = project.graph.get(k)
      return d._tag === "Asset" ? [[k, d.codeVersion]] : []
    }))
    expect(Object.keys(cli.versions).sort()).toEqual(["scaled_a", "scaled_b", "total"])
    expect(tsx.versions).toEqual(cli.versions)
    expect(vite).toEqual(cli.versions)
    // one helper built both Effect assets: each still has its own version
    expect(cli.versions["scaled_a"]).not.toBe(cli.versions["scaled_b"])
  })

  it("a value the Effect compute closes over is part of its version; the SQL asset's version stays", () => {
    const before = throughCli()
    const after = throughCli({ CODE_RATE: "3" })
    expect(after.status, after.stderr).toBe(0)
    expect(after.versions["scaled_a"]).not.toBe(before.versions["scaled_a"])
    expect(after.versions["total"]).toBe(before.versions["total"])
  })

  it("an Effect compute without a codeVersion is refused when the configuration loads, saying why", () => {
    const cli = throughCli({ CODE_VERSIONLESS: "1" })
    expect(cli.status).toBe(3)
    expect(cli.stderr).toContain("asset 'scaled_a' computes with an Effect, so it needs a codeVersion")
    const tsx = throughTsx({ CODE_VERSIONLESS: "1" })
    expect(tsx.status).not.toBe(0)
    expect(tsx.stderr).toContain("needs a codeVersion")
  })

  it("the Sakila raw tables, built by one helper, each have their own code version", () => {
    const raw = sakilaAssets.filter((a) => a._tag === "Asset" && a.key.startsWith("raw_")).map((a) => (a._tag === "Asset" ? a.codeVersion : ""))
    expect(raw.length).toBeGreaterThan(3)
    expect(new Set(raw).size).toBe(raw.length)
  })
})
