import { Effect, Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { defineAsset, type AnyAssetDef } from "../runtime/asset/Asset.js"
import { Column } from "../runtime/asset/columns.js"
import { MAX_CODE_VERSION, MAX_DATA_VERSION } from "../runtime/asset/versionLimits.js"
import { Lake } from "../runtime/lake/Lake.js"
import { dynamicPartitions } from "../runtime/partitions/DynamicPartitions.js"
import { reportMaterialization } from "../runtime/report/reportMaterialization.js"
import { testProject } from "./support/testProject.js"

/**
 * What a project names is held, where it is defined, to what every store keeps whole: SQLite keeps a text of any
 * length, MySQL refuses one longer than its column, so without these a project ran on one store and failed on the
 * other (the Sakila project's raw_film on MariaDB: its 186-character code version). The stores' side is
 * tests/event-store-contract.test.ts; observed data versions, tests/partition-kinds.test.ts.
 */
describe("names and versions are as long as every store keeps", () => {
  const row = Schema.Struct({ n: Column.int })

  it("a code version of up to 1,024 characters; a longer one is refused saying the limit", () => {
    const define = (codeVersion: string) => () => defineAsset({ key: "long_one", schema: row, codeVersion, compute: () => Effect.void })
    expect(define("v".repeat(MAX_CODE_VERSION))).not.toThrow()
    expect(define("v".repeat(MAX_CODE_VERSION + 1))).toThrow(
      `asset 'long_one' has a codeVersion of ${MAX_CODE_VERSION + 1} characters: give at most ${MAX_CODE_VERSION}`
    )
  })

  it("an asset key of up to 191 characters (MySQL's indexed VARCHAR)", () => {
    const define = (key: string) => () => defineAsset({ key, schema: row, sql: () => "SELECT 1 AS n" })
    expect(define("k".repeat(191))).not.toThrow()
    expect(define("k".repeat(192))).toThrow("an asset key is at most 191 characters")
  })

  it("a dynamic partitions' name of up to 64 characters", () => {
    expect(() => dynamicPartitions("p".repeat(64))).not.toThrow()
    expect(() => dynamicPartitions("p".repeat(65))).toThrow("must be 1 to 64 lower-case letters, digits and _")
  })

  it("a data version a compute returns or a job reports: 1 to 64 characters, the same rule as an observed one", async () => {
    const text = Schema.Struct({ n: Column.text })
    const version = (v: string) =>
      defineAsset({
        key: `returns_${v.length}`,
        format: "csv",
        schema: text,
        codeVersion: "1",
        compute: (ctx) => Effect.flatMap(Lake, (lake) => lake.write(ctx.outputPath, new TextEncoder().encode("n\nx\n"))).pipe(Effect.as({ dataVersion: v }))
      }) as AnyAssetDef
    const external = defineAsset({ key: "external_job", schema: row, codeVersion: "1", compute: () => Effect.void }) as AnyAssetDef
    const p = testProject({ assets: [version("v".repeat(MAX_DATA_VERSION)), version("v".repeat(MAX_DATA_VERSION + 1)), version(""), external] })
    try {
      const run = await p.materialize(`returns_${MAX_DATA_VERSION},returns_${MAX_DATA_VERSION + 1},returns_0`)
      const outcome = (key: string) => run.outcomes.find((o) => o.task.asset === key)!
      expect(outcome(`returns_${MAX_DATA_VERSION}`).state, outcome(`returns_${MAX_DATA_VERSION}`).message).toBe("succeeded")
      expect(outcome(`returns_${MAX_DATA_VERSION + 1}`).message).toContain(`give 1 to ${MAX_DATA_VERSION} characters`)
      expect(outcome("returns_0").message).toContain(`give 1 to ${MAX_DATA_VERSION} characters`)
      const report = (dataVersion: string) =>
        p.run(Effect.either(reportMaterialization({ asset: external as never, partition: null, dataVersion })))
      expect(Either.isRight(await report("r".repeat(MAX_DATA_VERSION)))).toBe(true)
      for (const refused of ["r".repeat(MAX_DATA_VERSION + 1), ""]) {
        const r = await report(refused)
        expect(Either.isLeft(r) && r.left.message).toContain(`a data version is 1 to ${MAX_DATA_VERSION} printable characters`)
      }
    } finally {
      await p.dispose()
    }
  })
})
