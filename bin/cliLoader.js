// The `assets` command's loader, copied to dist/cli/main.js by scripts/build.mjs. It runs the bundle (main.cjs, one
// CommonJS script) from V8's code cache when it has one for the command: Node 20 caches no compiled code of its own,
// and compiling the bundle's functions was most of the command's start (0.25 s of every `materialize`). A command's
// first run compiles as before and, once it exited 0, leaves the cache of what it compiled under code-cache/, one
// file per command (each compiles other functions). The build replaces this folder whole, caches included.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import vm from "node:vm"

const bundle = fileURLToPath(new URL("./main.cjs", import.meta.url))
// code read from the cache cannot import(): the bundle imports through this (runtime/importModule.ts)
globalThis[Symbol.for("sakila-assets/import-module")] = (specifier) => import(specifier)

const args = process.argv.slice(2)
const command = args.find((a) => !a.startsWith("-"))
// help and version print and exit before the command's own code compiles: nothing worth keeping
const cached = command !== undefined && /^[a-z][a-z0-9-]*$/.test(command) && !args.some((a) => a === "--help" || a === "-h" || a === "--version")
const { size, mtimeMs } = statSync(bundle)
// V8 checks a cache against its source's length only: the bundle's stamp in the name keeps one bundle's cache from another's
const cacheFile = join(dirname(bundle), "code-cache", `${command}-${size}-${Math.round(mtimeMs)}.bin`)
let cachedData
if (cached) {
  try {
    cachedData = readFileSync(cacheFile)
  } catch {}
}
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, "utf8")}\n})`, {
  filename: bundle,
  cachedData
})
if (cached && (cachedData === undefined || script.cachedDataRejected)) {
  process.once("exit", (code) => {
    if (code !== 0) return
    // whole files only (another process may be writing the same one): written aside, then renamed
    try {
      mkdirSync(dirname(cacheFile), { recursive: true })
      writeFileSync(`${cacheFile}.${process.pid}`, script.createCachedData())
      renameSync(`${cacheFile}.${process.pid}`, cacheFile)
    } catch {
      // a folder this user cannot write: the command starts without a cache, as before
    }
  })
}
const module = { exports: {} }
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle))
