import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, ManagedRuntime, Schema } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { Column, defineAsset, defineProject, Lake, type AnyAssetDef } from "sakila-assets"
import * as DuckDB from "../resources/duckdb/DuckDB.js"
import * as DuckDBEngine from "../resources/duckdb/DuckDBEngine.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import * as LocalLake from "../resources/lake-fs/LocalLake.js"
import { materialize } from "../runtime/execute/materialize.js"
import { projectLayer } from "../runtime/project/Project.js"

/**
 * A step's printed duration is its own work, from when it holds its concurrency slot: with one slot and three
 * independent steps of a second each, the last waits two seconds for its slot, and its duration must not count
 * them (it did in wave 1: `streaming_partitions` lines showed 48–60 s). The bound is loose against a slow machine;
 * counting the wait would give the second 2 s and the third 3 s.
 */
const enc = new TextEncoder()
const sleepy = (key: string): AnyAssetDef =>
  defineAsset({
    key,
    format: "csv",
    schema: Schema.Struct({ n: Column.text }),
    codeVersion: "1",
    compute: (ctx) => Effect.zipRight(Effect.sleep("1 second"), Effect.flatMap(Lake, (lake) => lake.write(ctx.outputPath, enc.encode(`n\n${key}\n`))))
  }) as AnyAssetDef

const dir = mkdtempSync(join(tmpdir(), "step-durations-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("printed step durations", () => {
  it("start when the step holds its slot, not when it began to wait for one", async () => {
    const layer = Layer.mergeAll(DuckDBEngine.layer.pipe(Layer.provide(DuckDB.layerOnFirstUse)), SqliteEventStore.layer(join(dir, "events.sqlite"))).pipe(
      Layer.provideMerge(LocalLake.layer(join(dir, "lake")))
    )
    const project = defineProject({ name: "durations", assets: [sleepy("a"), sleepy("b"), sleepy("c")], layer })
    const runtime = ManagedRuntime.make(Layer.mergeAll(project.layer, projectLayer(project)))
    try {
      const t0 = Date.now()
      const result = await runtime.runPromise(materialize({ selection: "a,b,c", concurrency: 1 }))
      const wall = Date.now() - t0
      const durations = result.outcomes.map((o) => o.durationMs)
      console.log(`durations ${durations.join(", ")} ms, wall ${wall} ms`)
      expect(result.outcomes.map((o) => o.state)).toEqual(["succeeded", "succeeded", "succeeded"])
      // the steps ran one after the other (the run took their three seconds); the two that waited for the slot say
      // about one second each (the first also counts the engine starting for it)
      expect(wall).toBeGreaterThanOrEqual(3_000)
      for (const d of durations) expect(d).toBeGreaterThanOrEqual(1_000)
      for (const d of durations.slice(1)) expect(d).toBeLessThan(1_900)
    } finally {
      await runtime.dispose()
    }
  }, 60_000)
})
