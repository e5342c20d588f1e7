#!/usr/bin/env node
// DuckDB's queries and file I/O share libuv's thread pool (4 threads by default): with several asset partitions
// at once, file writes would queue behind queries. It must be sized before the pool is first used.
process.env.UV_THREADPOOL_SIZE ??= "16"
// The AWS SDK warns on every start under Node 20 that its releases after January 2027 will need Node 22; the
// versions this package pins run on Node 20, so the warning says nothing about this command (=false shows it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"

// The command is bundled by `npm run build` (run by `npm install`). `assets --help` and `assets <command> --help`
// print the text the build rendered, `assets --version` the package's version; everything else runs the bundle
// (dist/cli/main.js), which parses the arguments before it loads the project.
import { readFileSync } from "node:fs"

const args = process.argv.slice(2)

/** `assets --help`, `assets <command> --help`: rendered by the build (scripts/build.mjs) */
const renderedHelp = () => {
  const help = (a) => a === "--help" || a === "-h"
  const key = args.length === 1 && help(args[0]) ? "--help" : args.length === 2 && !args[0].startsWith("-") && help(args[1]) ? `${args[0]} --help` : undefined
  if (key === undefined) return undefined
  try {
    return JSON.parse(readFileSync(new URL("../dist/cli/help-texts.json", import.meta.url), "utf8"))[key]
  } catch {
    return undefined
  }
}

const start = async () => {
  try {
    await import("../dist/cli/main.js")
  } catch (e) {
    if (e?.code === "ERR_MODULE_NOT_FOUND" && String(e.message).includes("dist/cli/")) {
      console.error("the assets command is not built: run `npm run build` (npm install runs it)")
      process.exit(3)
    }
    throw e
  }
}

/** `assets --version`: the package's own, without loading the bundle (which took a third of a second) */
const version = () => {
  if (args.length !== 1 || args[0] !== "--version") return undefined
  try {
    return `${JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version}\n`
  } catch {
    return undefined
  }
}

const text = renderedHelp() ?? version()
if (text !== undefined) process.stdout.write(text)
else await start()
