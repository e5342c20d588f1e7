// The build `npm install` runs (prepare): tsc emits the library (dist/, with types) for programs that import the
// package, and esbuild bundles the `assets` command into dist/cli/ (one file set, so it starts fast; adapters
// split into chunks loaded only when a project's resources need them).
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { builtinModules } from "node:module"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { build } from "esbuild"

const pkg = JSON.parse(readFileSync("package.json", "utf8"))
const only = process.argv[2] // "lib" or "cli": one half; "page": the web page alone

// the web page (ui-api/page/): its TypeScript bundled with its libraries into dist/page/, beside its HTML and CSS
if (only !== "cli") {
  const { buildPage } = await import("../ui-api/page/build.mjs")
  await buildPage(resolve("."))
  if (only === "page") process.exit(0)
}

/** Packages the bundle leaves as imports: every dependency but the Effect family (which must be one copy, inside). */
const external = Object.keys(pkg.dependencies).filter((d) => d !== "effect" && !d.startsWith("@effect/"))

if (only !== "cli") {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" })
}
/** the CLI is built here, then swapped in whole: a command started during a build never meets half a bundle */
const out = `dist/cli.build-${process.pid}`
if (only !== "lib") {
  rmSync(out, { recursive: true, force: true })
  await build({
    entryPoints: { main: "bin/main.ts" },
    outdir: out,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    chunkNames: "chunks/[name]-[hash]",
    sourcemap: "linked",
    minify: true,
    logLevel: "warning",
    external: [...external, ...external.map((d) => `${d}/*`), ...builtinModules, "node:*"],
    // CommonJS inside the bundle (some of Effect's dependencies) asks for require
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' }
  })
}

/**
 * The names each shared module exports (bin/sharedModules.ts), for bin/configLoader.ts: it compiles a project's
 * configuration against them without loading the modules (loading @effect/sql-mysql2 would load mysql2).
 */
if (only !== "lib") {
  execFileSync(process.execPath, ["scripts/shared-modules.mjs", "--check"], { stdio: "inherit" })
  const loaders = Object.keys(JSON.parse(readFileSync("bin/shared/index.ts", "utf8").match(/groupOf[^=]*= (\{[^}]*\})/)[1]))
  const entries = [...readFileSync("bin/sharedModules.ts", "utf8").matchAll(/"(sakila-assets[^"]*)": \(\) => import\("\.\.\/entries\/([\w-]+)\.js"\)/g)]
  const names = {}
  for (const spec of loaders) names[spec] = Object.keys(await import(spec))
  for (const [, spec, file] of entries) names[spec] = Object.keys(await import(new URL(`../dist/entries/${file}.js`, import.meta.url).href))
  for (const pkg of ["effect"]) names[pkg] = Object.keys(await import(pkg))
  writeFileSync(`${out}/shared-exports.json`, JSON.stringify(names))
  const old = `dist/cli.old-${process.pid}`
  if (existsSync("dist/cli")) renameSync("dist/cli", old)
  renameSync(out, "dist/cli")
  rmSync(old, { recursive: true, force: true })

  // `assets --help` and `assets <command> --help` rendered once here: the same text every time (it depends on
  // neither the terminal nor the project), printed by bin/assets.js without starting the command at all. Rendered
  // in an empty folder, so no project is near; the top-level commands are the ones `--help` lists.
  const empty = mkdtempSync(join(tmpdir(), "assets-help-"))
  const render = (words) => spawnSync(process.execPath, [resolve("dist/cli/main.js"), ...words, "--help"], { cwd: empty, encoding: "utf8" })
  const texts = {}
  const top = render([])
  const commands = [...top.stdout.replace(/\x1b\[[0-9;]*m/g, "").matchAll(/^ {2}- ([a-z][a-z-]*)/gm)].map((m) => m[1])
  for (const words of [[], ...commands.map((c) => [c])]) {
    const run = words.length === 0 ? top : render(words)
    if (run.status === 0 && run.stderr === "") texts[[...words, "--help"].join(" ")] = run.stdout
  }
  rmSync(empty, { recursive: true, force: true })
  if (texts["--help"] === undefined || commands.length === 0) throw new Error(`assets --help did not render:\n${top.stderr}`)
  writeFileSync("dist/cli/help-texts.json.tmp", JSON.stringify(texts))
  renameSync("dist/cli/help-texts.json.tmp", "dist/cli/help-texts.json")
}
