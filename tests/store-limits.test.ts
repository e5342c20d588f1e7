import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { defineAsset } from "../runtime/asset/Asset.js"
import { Column } from "../runtime/asset/columns.js"
import { MAX_CODE_VERSION } from "../runtime/asset/versionLimits.js"
import { dynamicPartitions } from "../runtime/partitions/DynamicPartitions.js"

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
})
