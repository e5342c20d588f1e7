// The build `npm install` runs (prepare): tsc emits the library (dist/, with types) for programs that import the
// package, and esbuild bundles the `assets` command into dist/cli/ (one file set, so it starts fast; adapters
// split into chunks loaded only when a project's resources need them).
import { execFileSync } from "node:child_process"
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import { builtinModules } from "node:module"
import { build } from "esbuild"

const pkg = JSON.parse(readFileSync("package.json", "utf8"))
const only = process.argv[2] // "lib" or "cli": one half

/** Packages the bundle leaves as imports: every dependency but the Effect family (which must be one copy, inside). */
const external = Object.keys(pkg.dependencies).filter((d) => d !== "effect" && !d.startsWith("@effect/"))

if (only !== "cli") {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" })
}
if (only !== "lib") {
  rmSync("dist/cli", { recursive: true, force: true })
  await build({
    entryPoints: { main: "bin/main.ts" },
    outdir: "dist/cli",
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
  const specs = [...readFileSync("bin/sharedModules.ts", "utf8").matchAll(/lazy\("([^"]+)"/g)].map((m) => m[1])
  const effect = await import("effect")
  const modules = Object.keys(effect).filter((k) => /^[A-Z]/.test(k))
  const listed = [...readFileSync("bin/effectModules.ts", "utf8").matchAll(/"([A-Za-z]+)"/g)].map((m) => m[1])
  const missing = modules.filter((m) => !listed.includes(m))
  if (missing.length > 0) throw new Error(`bin/effectModules.ts lacks effect's modules ${missing.join(", ")}: add them`)
  const names = { effect: Object.keys(effect) }
  for (const m of modules) names[`effect/${m}`] = Object.keys(effect[m])
  for (const spec of specs) {
    if (spec === "effect") continue
    const sub = spec.startsWith("sakila-assets") ? spec.slice("sakila-assets".length + 1) || "index" : undefined
    const ns = sub === undefined ? await import(spec) : await import(new URL(`../dist/entries/${sub}.js`, import.meta.url).href)
    names[spec] = Object.keys(ns)
  }
  writeFileSync("dist/cli/shared-exports.json", JSON.stringify(names))
}
