import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, describe, expect, it } from "vitest"

// How the bundled `assets` command loads a project's configuration (bin/configLoader.ts): compiled by esbuild
// against the command's own modules, cached by its input files, with the project's files seen as themselves.
const root = resolve(import.meta.dirname, "..")
const dirs: Array<string> = []
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

const project = (files: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), "config-loader-"))
  dirs.push(dir)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}

const assets = (dir: string, ...args: Array<string>) =>
  spawnSync(process.execPath, [join(root, "bin/assets.js"), ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { PATH: process.env["PATH"], HOME: process.env["HOME"] }
  })

const asset = `
import { Schema } from "effect"
import { Column, defineAsset } from "sakila-assets"
export const one = defineAsset({ key: "one", schema: Schema.Struct({ n: Column.int }), sql: () => "SELECT 1 AS n" })
`

describe("a project's configuration under the bundled CLI", () => {
  it("import.meta in a project file names that file, not the compiled copy", () => {
    const dir = project({
      "assets/one.ts": asset,
      "assets.config.ts": `
import { join } from "node:path"
import { defineProject, embedded } from "sakila-assets"
import { one } from "./assets/one.js"
export default defineProject({ name: "here", assets: [one], layer: embedded({ lake: join(import.meta.dirname, "my-lake"), state: join(import.meta.dirname, "my-state") }) })
`
    })
    const run = assets(dir, "materialize", "one")
    expect(run.status, run.stderr).toBe(0)
    expect(existsSync(join(dir, "my-lake"))).toBe(true)
    expect(existsSync(join(dir, "my-state", "events.sqlite"))).toBe(true)
  })

  it("an unchanged configuration is not compiled again; a changed file it imports is", () => {
    const dir = project({ "assets/one.ts": asset, "assets.config.ts": `import { defineProject, embedded } from "sakila-assets"\nimport { one } from "./assets/one.js"\nexport default defineProject({ name: "cached", assets: [one], layer: embedded() })\n` })
    expect(assets(dir, "list").status).toBe(0)
    const cache = join(dir, "node_modules/.cache/sakila-assets")
    const compiled = () => readdirSync(cache).filter((f) => f.startsWith("config-"))
    const manifest = readdirSync(cache).find((f) => f.endsWith(".json"))!
    const written = statSync(join(cache, manifest)).mtimeMs
    expect(assets(dir, "list").status).toBe(0)
    expect(statSync(join(cache, manifest)).mtimeMs).toBe(written)
    // its folder says its files are ES modules (else Node 20 compiles each twice to find out); a folder compiled
    // without that file gets it when next loaded
    const scope = join(cache, compiled()[0]!, "package.json")
    expect(JSON.parse(readFileSync(scope, "utf8"))).toEqual({ type: "module" })
    rmSync(scope)
    expect(assets(dir, "list").status).toBe(0)
    expect(existsSync(scope)).toBe(true)
    writeFileSync(join(dir, "assets/one.ts"), asset.replace(`"one"`, `"uno"`))
    const renamed = assets(dir, "list")
    expect(renamed.status, renamed.stderr).toBe(0)
    expect(renamed.stdout).toContain("uno")
    expect(compiled().length).toBe(2)
  })

  it("a configuration that reaches into the framework's files, or names a module the command lacks, is refused saying how to fix it", () => {
    const deep = project({ "assets.config.ts": `import { defineProject } from "${join(root, "runtime/project/Project.js")}"\nexport default defineProject({ name: "deep", assets: [], layer: undefined as never })\n` })
    const refused = assets(deep, "list")
    expect(refused.status).toBe(3)
    expect(refused.stderr).toContain(`import it by the package's name, e.g. from "sakila-assets"`)
    const unknown = project({ "assets.config.ts": `import { nope } from "sakila-assets/nope"\nexport default nope\n` })
    const missing = assets(unknown, "list")
    expect(missing.status).toBe(3)
    expect(missing.stderr).toContain("'sakila-assets/nope' is not a module the assets command provides")
  })
})
