import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Column, defineAsset, keysOf, monthly, primaryKey, references } from "sakila-assets"
import { erdOf, erdSvg } from "../runtime/docs/erd.js"
import { viewDataVersion } from "../runtime/execute/materializeView.js"

// What a view, a merge asset and a diagram accept; what they do end to end is in tests/example-*.test.ts.
const Row = Schema.Struct({ id: Column.int, name: Column.text })
const months = monthly({ start: "2023-01", end: "2023-03" })
const base = defineAsset({ key: "base", schema: Row, sql: () => "SELECT 1 AS id, 'a' AS name" })

describe("views, merges and keys: definitions", () => {
  it("refuses a view that is partitioned, computed by an Effect or checked, saying why", () => {
    expect(() => defineAsset({ key: "v", materialization: "view", partitions: months, schema: Row, sql: () => "SELECT 1" })).toThrow(
      "asset 'v': a view is not partitioned: it reads whatever its inputs hold"
    )
    expect(() => defineAsset({ key: "v", materialization: "oops" as never, schema: Row, sql: () => "SELECT 1" })).toThrow("materialization 'oops' is not one of table, view")
    const view = defineAsset({ key: "v", materialization: "view", deps: { base }, schema: Row, sql: ({ inputs }) => `SELECT * FROM ${inputs.base}` })
    expect(view.materialization).toBe("view")
  })

  it("refuses a merge asset without time partitions, with a key that is no column, or a nullable one", () => {
    expect(() => defineAsset({ key: "m", incremental: { mode: "merge", key: ["id"] }, schema: Row, sql: () => "SELECT 1" })).toThrow("partitioned by time")
    expect(() => defineAsset({ key: "m", partitions: months, incremental: { mode: "merge", key: ["nope"] }, schema: Row, sql: () => "SELECT 1" })).toThrow(
      "merge key 'nope' is not a column of its schema"
    )
    const Nullable = Schema.Struct({ id: Column.nullable(Column.int) })
    expect(() => defineAsset({ key: "m", partitions: months, incremental: { mode: "merge", key: ["id"] }, schema: Nullable, sql: () => "SELECT 1" })).toThrow("is nullable")
    expect(() => defineAsset({ key: "m", partitions: months, incremental: { mode: "merge", key: ["id"], deleteFlag: "name" }, schema: Row, sql: () => "SELECT 1" })).toThrow(
      "delete flag 'name' is a column of the output"
    )
  })

  it("a merge asset reads its previous partition, keeps the merge's counts, and its code version covers the merge", () => {
    const merged = defineAsset({ key: "m", partitions: months, deps: { base }, incremental: { mode: "merge", key: ["id"] }, schema: Row, sql: ({ inputs }) => `SELECT * FROM ${inputs.base}` })
    expect(Object.keys(merged.deps)).toEqual(["base", "previous"])
    expect(merged.deps["previous"]!.asset).toBe(merged)
    expect(Object.keys(merged.sideOutputs)).toEqual(["merge"])
    const plain = defineAsset({ key: "m", partitions: months, deps: { base }, schema: Row, sql: ({ inputs }) => `SELECT * FROM ${inputs.base}` })
    expect(merged.codeVersion).not.toBe(plain.codeVersion)
  })

  it("a view's data version follows its code and its inputs' versions, whatever their order", () => {
    const a = { asset: "a", partition: null, dataVersion: "1" }
    const b = { asset: "b", partition: "2023-01", dataVersion: "2" }
    expect(viewDataVersion("c1", [a, b])).toBe(viewDataVersion("c1", [b, a]))
    expect(viewDataVersion("c1", [a, b])).not.toBe(viewDataVersion("c2", [a, b]))
    expect(viewDataVersion("c1", [a, b])).not.toBe(viewDataVersion("c1", [a, { ...b, dataVersion: "3" }]))
  })

  it("keys in a schema: primary, references, both; the diagram draws them", () => {
    const users = defineAsset({ key: "users", schema: Schema.Struct({ userid: primaryKey(Column.int) }), sql: () => "SELECT 1 AS userid" })
    const Rating = Schema.Struct({ userid: primaryKey(references(Column.int, users)), itemid: references(Column.nullable(Column.int), "movies", "movieid"), score: Column.int })
    expect([...keysOf(Rating)]).toEqual([
      ["userid", { primary: true, references: { asset: "users", column: undefined } }],
      ["itemid", { primary: false, references: { asset: "movies", column: "movieid" } }]
    ])
    const ratings = defineAsset({ key: "ratings", schema: Rating, sql: () => "SELECT 1 AS userid, 1 AS itemid, 5 AS score" })
    const erd = erdOf([users, ratings])
    // movies is not drawn, so no edge goes to it
    expect(erd.relations).toEqual([{ from: "ratings", column: "userid", to: "users", toColumn: "userid" }])
    expect(erd.tables.find((t) => t.name === "ratings")!.columns.map((c) => c.key)).toEqual(["PK FK", "", ""])
    const svg = erdSvg(erd, "t")
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 \d+ \d+"/)
    expect(svg).toContain('data-from="ratings.userid" data-to="users.userid"')
  })
})
