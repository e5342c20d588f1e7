#!/usr/bin/env node
// DuckDB's queries and file I/O share libuv's thread pool (4 threads by default): with several asset partitions
// at once, file writes would queue behind queries. It must be sized before the pool is first used.
process.env.UV_THREADPOOL_SIZE ??= "16"

// The CLI is TypeScript run through tsx, so a clone works without a build step.
const { register } = await import("tsx/esm/api")
register()
await import("./main.ts")
