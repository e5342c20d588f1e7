// The build `npm install` runs (prepare): tsc emits the library (dist/, with types) for programs that import the
// package, and esbuild bundles the `assets` command into dist/cli/ (one file set, so it starts fast; adapters
// split into chunks loaded only when a project's resources need them).
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { builtinModules } from "node:module"
import { build } from "esbuild"

const pkg = JSON.parse(readFileSync("package.json", "utf8"))
const only = process.argv[2] // "lib" or "cli": one half

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
  // help and version: one file with the commands' definitions and nothing they load when they run
  await build({
    entryPoints: { help: "bin/help.ts" },
    outdir: out,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    minify: true,
    logLevel: "warning",
    external: [...external, ...external.map((d) => `${d}/*`), ...builtinModules, "node:*"],
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
    plugins: [
      {
        name: "no-handlers",
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => (args.kind === "dynamic-import" ? { path: args.path, namespace: "left-out" } : undefined))
          b.onLoad({ filter: /.*/, namespace: "left-out" }, (args) => ({
            contents: `throw new Error(${JSON.stringify(`${args.path} is not in the help bundle`)})`,
            loader: "js"
          }))
        }
      }
    ]
  })
  // the first words bin/assets.js sends to the help bundle
  const names = new Set()
  for (const file of ["ui-api/serveCommand.ts", ...readdirSync("runtime/cli/commands").filter((f) => !f.endsWith(".run.ts")).map((f) => `runtime/cli/commands/${f}`)]) {
    for (const m of readFileSync(file, "utf8").matchAll(/Command\.make\(\s*"([a-z-]+)"/g)) names.add(m[1])
  }
  writeFileSync(`${out}/help-commands.json`, JSON.stringify([...names].sort()))
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
  // neither the terminal nor the project), printed by bin/assets.js without starting the command at all
  const texts = {}
  for (const words of [[], ...JSON.parse(readFileSync("dist/cli/help-commands.json", "utf8")).map((c) => [c])]) {
    const run = spawnSync(process.execPath, ["dist/cli/help.js", ...words, "--help"], { encoding: "utf8" })
    if (run.status === 0 && run.stderr === "") texts[[...words, "--help"].join(" ")] = run.stdout
  }
  writeFileSync("dist/cli/help-texts.json.tmp", JSON.stringify(texts))
  renameSync("dist/cli/help-texts.json.tmp", "dist/cli/help-texts.json")
}
