// The build `npm install` runs (prepare): tsc emits the library (dist/, with types) for programs that import the
// package, and esbuild bundles the `assets` command into dist/cli/: one CommonJS script (main.cjs), whose modules
// are initialized on first use (adapters only when a project's resources need them), run by bin/cliLoader.js
// (dist/cli/main.js) from V8's code cache, so it starts fast.
import { execFileSync, spawnSync } from "node:child_process"
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
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

/**
 * Packages the bundle leaves as imports: every dependency but the Effect family (which must be one copy, inside) and
 * DuckDB's JavaScript API (one file of the bundle, read from the code cache, instead of 180 files required at the
 * start of every command that queries; its native binding stays outside, see duckdbBinding).
 */
const external = Object.keys(pkg.dependencies).filter((d) => d !== "effect" && !d.startsWith("@effect/") && d !== "@duckdb/node-api")

/** DuckDB's native binding, required from beside its API's package, where the API's installer put it. */
const duckdbBinding = {
  name: "duckdb-binding",
  setup(b) {
    b.onResolve({ filter: /^@duckdb\/node-bindings$/ }, () => ({ path: "@duckdb/node-bindings", namespace: "duckdb-binding" }))
    b.onLoad({ filter: /.*/, namespace: "duckdb-binding" }, () => ({
      // (the API's name in a variable: resolved when the command runs, not by the bundler)
      contents: 'const api = "@duckdb/node-api"; module.exports = require("node:module").createRequire(require.resolve(api))("@duckdb/node-bindings")',
      loader: "js"
    }))
  }
}

if (only !== "cli") {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" })
}
/** the CLI is built here, then swapped in whole: a command started during a build never meets half a bundle */
const out = `dist/cli.build-${process.pid}`
if (only !== "lib") {
  rmSync(out, { recursive: true, force: true })
  await build({
    entryPoints: ["bin/main.ts"],
    outfile: `${out}/main.cjs`,
    bundle: true,
    // a script, not ES modules: only a script's compiled code can be cached (Node 20 has no cache for modules)
    format: "cjs",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    minify: true,
    logLevel: "warning",
    external: [...external, ...external.map((d) => `${d}/*`), ...builtinModules, "node:*"],
    plugins: [duckdbBinding],
    // import.meta of a module is the bundle's own file; the banner goes first, so it repeats the "use strict"
    define: { "import.meta.url": "__bundleUrl", "import.meta.dirname": "__dirname", "import.meta.filename": "__filename" },
    banner: { js: '"use strict"; const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' }
  })
  copyFileSync("bin/cliLoader.js", `${out}/main.js`)
}

/**
 * The names each shared module exports (bin/sharedModules.ts), for bin/configLoader.ts: it compiles a project's
 * configuration against them without loading the modules (loading @effect/sql-mysql2 would load mysql2).
 */
if (only !== "lib") {
  execFileSync(process.execPath, ["scripts/shared-modules.mjs", "--check"], { stdio: "inherit" })
  const loaders = [...readFileSync("bin/shared/index.ts", "utf8").matchAll(/^ {2}"([^"]+)": \(\) => import\(/gm)].map((m) => m[1])
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
