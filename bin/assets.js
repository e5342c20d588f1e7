#!/usr/bin/env node
// DuckDB's queries and file I/O share libuv's thread pool (4 threads by default): with several asset partitions
// at once, file writes would queue behind queries. It must be sized before the pool is first used.
process.env.UV_THREADPOOL_SIZE ??= "16"

// The command is bundled by `npm run build` (run by `npm install`): one file set that starts fast.
try {
  await import("../dist/cli/main.js")
} catch (e) {
  if (e?.code === "ERR_MODULE_NOT_FOUND" && String(e.message).includes("dist/cli/main.js")) {
    console.error("the assets command is not built: run `npm run build` (npm install runs it)")
    process.exit(3)
  }
  throw e
}
