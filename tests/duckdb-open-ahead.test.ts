import { rmSync } from "node:fs"
import { join } from "node:path"
import { ConfigProvider, Effect, Exit, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import * as DuckDB from "../resources/duckdb/DuckDB.js"
import * as DuckDBEngine from "../resources/duckdb/DuckDBEngine.js"
import * as LocalLake from "../resources/lake-fs/LocalLake.js"
import { Engine } from "../runtime/engine/Engine.js"
import { tempDir } from "./support/testProject.js"

const dir = tempDir("open-ahead-")
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The engine on DuckDB opened at its first query, with the settings `env` gives. */
const engineRuntime = (env: Record<string, string>) =>
  ManagedRuntime.make(
    DuckDBEngine.layer.pipe(
      Layer.provide(DuckDB.layerOnFirstUse),
      Layer.provide(LocalLake.layer(join(dir, "lake"))),
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
    )
  )

/** `materialize` forks `openAhead` once it has a plan, so that DuckDB starts while the first tasks set up. */
describe("opening the engine ahead of its first query", () => {
  it("opens the instance the queries then use, and may be asked again", async () => {
    const runtime = engineRuntime({})
    try {
      const engine = await runtime.runPromise(Engine)
      expect(engine.openAhead).toBeDefined()
      await runtime.runPromise(engine.openAhead!)
      await runtime.runPromise(engine.query("CREATE TABLE opened AS SELECT 42 AS answer"))
      await runtime.runPromise(engine.openAhead!)
      // another connection of the same instance sees the table: one instance, opened once
      expect(await runtime.runPromise(engine.query("SELECT answer FROM opened"))).toEqual([{ answer: 42 }])
    } finally {
      await runtime.dispose()
    }
  })

  it("leaves a failure to open to the first query, which reports it; DuckDB's own open fails with it", async () => {
    const runtime = engineRuntime({ ASSETS_DUCKDB_MEMORY_LIMIT: "banana" })
    try {
      const engine = await runtime.runPromise(Engine)
      // nothing fails where nobody waits for the answer
      expect(Exit.isSuccess(await runtime.runPromiseExit(engine.openAhead!))).toBe(true)
      const query = await runtime.runPromiseExit(engine.query("SELECT 1"))
      expect(Exit.isFailure(query)).toBe(true)
      // DuckDB says only "Failed to set config": the message names the settings it was given
      expect(JSON.stringify(query)).toContain("cannot open DuckDB at :memory: with threads = ")
      expect(JSON.stringify(query)).toContain("memory_limit = banana (ASSETS_DUCKDB_THREADS, ASSETS_DUCKDB_MEMORY_LIMIT or the project's DuckDB layer): Failed to set config")
      // the open the engine asked for did try, and failed the same way
      const open = Effect.flatMap(DuckDB.DuckDB, (duck) => duck.open).pipe(
        Effect.provide(DuckDB.layerOnFirstUse),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["ASSETS_DUCKDB_MEMORY_LIMIT", "banana"]])))
      )
      const opened = await Effect.runPromiseExit(open)
      expect(Exit.isFailure(opened)).toBe(true)
      expect(JSON.stringify(opened)).toContain("cannot open DuckDB")
    } finally {
      await runtime.dispose()
    }
  })
})
