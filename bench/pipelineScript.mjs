// The baseline side of bench/pipeline.ts: runs bench/pipelineScript.sql with DuckDB in the folder it is given,
// one statement at a time, and prints each step's milliseconds as one JSON line. Plain JavaScript run by node, so
// the baseline pays a process start and DuckDB's load as the `assets` command does, and nothing more.
//
//   node bench/pipelineScript.mjs <folder>     (the folder holds landing/streaming/ and landing/raw_*/data.csv)
import { mkdirSync, readFileSync } from "node:fs"
import { DuckDBInstance } from "@duckdb/node-api"

const folder = process.argv[2]
if (folder === undefined) {
  console.error("usage: node bench/pipelineScript.mjs <folder>")
  process.exit(2)
}
const script = readFileSync(new URL("./pipelineScript.sql", import.meta.url), "utf8")
process.chdir(folder)
mkdirSync("out/clean", { recursive: true })
mkdirSync("out/curated", { recursive: true })

// statements end with a semicolon at the end of a line; a `-- step:` comment names the statements after it
const steps = []
let step = "start"
for (const chunk of script.split(/;[ \t]*$/m)) {
  const named = /^-- step: (.+)$/m.exec(chunk)
  if (named !== null) step = named[1]
  const sql = chunk.replace(/^\s*--.*$/gm, "").trim()
  if (sql === "") continue
  steps.push({ step, sql })
}

const instance = await DuckDBInstance.create(":memory:")
const connection = await instance.connect()
const ms = {}
for (const { step, sql } of steps) {
  const t0 = performance.now()
  await connection.run(sql)
  ms[step] = (ms[step] ?? 0) + (performance.now() - t0)
}
connection.closeSync()
instance.closeSync()
console.log(JSON.stringify({ steps: ms }))
