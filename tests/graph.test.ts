import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { sakilaAssets } from "../assets/index.js"
import { defineAsset, defineSource, dep, type AnyAssetDef } from "../runtime/asset/Asset.js"
import { Column } from "../runtime/asset/columns.js"
import { buildGraph } from "../runtime/graph/AssetGraph.js"
import { resolveSelection } from "../runtime/graph/Selection.js"
import { GraphInvalid } from "../runtime/graph/validate.js"
import { monthly } from "../runtime/partitions/TimeWindowPartitions.js"
import { identity } from "../runtime/partitions/mappings/identity.js"
import { Effect } from "effect"

const schema = Schema.Struct({ x: Column.int })
const asset = (key: string, deps: Record<string, AnyAssetDef> = {}, partitioned = false) =>
  defineAsset({ key, deps, schema, sql: () => `SELECT 1 AS x -- ${key}`, ...(partitioned ? { partitions: monthly({ start: "2023-01" }) } : {}) })

const problemsOf = (assets: ReadonlyArray<AnyAssetDef>): ReadonlyArray<string> => {
  try {
    buildGraph(assets)
    return []
  } catch (e) {
    expect(e).toBeInstanceOf(GraphInvalid)
    return (e as GraphInvalid).problems
  }
}

describe("graph validation", () => {
  it("finds a cycle at the end of a 50,000-asset chain (no stack overflow), and a chain without one is valid", () => {
    const chain: Array<AnyAssetDef> = [asset("c0")]
    for (let i = 1; i < 50_000; i++) chain.push(asset(`c${i}`, { up: chain[i - 1]! }))
    expect(problemsOf(chain)).toEqual([])
    // c0 reads the last one: the whole chain is one cycle, reported from its smallest key
    const looped = [asset("c0", { up: chain[49_999]! }), ...chain.slice(1)]
    const problems = problemsOf(looped.map((a) => (a.key === "c1" ? asset("c1", { up: looped[0]! }) : a)))
    expect(problems.length).toBe(1)
    expect(problems[0]).toMatch(/^cycle: c0 -> c1 -> c2 -> .* -> c49999 -> c0$/)
  })

  it("reports every problem in one pass: each cycle as its chain, unknown and duplicate keys, impossible mappings", () => {
    const a = asset("a")
    const b = asset("b", { a })
    const c = asset("c", { b })
    ;(a as { deps: unknown }).deps = { c: { asset: c, mapping: undefined } }
    const x = asset("x")
    const y = asset("y", { x })
    ;(x as { deps: unknown }).deps = { y: { asset: y, mapping: undefined } }
    const ghost = asset("ghost")
    const orphan = asset("orphan", { ghost })
    const dup1 = asset("dup")
    const dup2 = asset("dup")
    const monthlyUp = asset("monthly_up", {}, true)
    const wrongMapping = defineAsset({ key: "wrong_mapping", deps: { up: dep(asset("flat"), identity) }, schema, sql: () => "SELECT 1 AS x" })
    const problems = problemsOf([a, b, c, x, y, orphan, dup1, dup2, monthlyUp, wrongMapping, asset("flat")])
    expect(problems).toContain("cycle: a -> b -> c -> a")
    expect(problems).toContain("cycle: x -> y -> x")
    expect(problems.some((p) => p.includes("'orphan' reads 'ghost'"))).toBe(true)
    expect(problems.some((p) => p.startsWith("duplicate asset key 'dup'"))).toBe(true)
    expect(problems.some((p) => p.includes("'wrong_mapping' input 'up' from 'flat': identity needs both assets partitioned"))).toBe(true)
    expect(problems.length).toBe(5)
  })

  it("accepts the Sakila project and orders it deterministically, dependencies first, ties by key", () => {
    const g1 = buildGraph(sakilaAssets)
    const g2 = buildGraph([...sakilaAssets].reverse())
    expect(g1.order).toEqual(g2.order)
    const pos = (k: string) => g1.order.indexOf(k as never)
    for (const k of g1.order) for (const e of g1.inputs(k)) expect(pos(e.upstream)).toBeLessThan(pos(k))
    expect(g1.order.slice(0, 5)).toEqual(["sakila_category", "sakila_film", "sakila_film_category", "sakila_language", "streaming_landing"])
  })
})

describe("selection", () => {
  const g = buildGraph(sakilaAssets)
  const sel = (s: string) => Either.getOrThrow(resolveSelection(g, s))

  it("resolves key, +key, key+, N+key, key+N, +key+ and comma lists in topological order", () => {
    expect(sel("film_category")).toEqual(["film_category"])
    expect(sel("1+film_category")).toEqual(["clean_category", "clean_film", "clean_film_category", "clean_language", "film_category"])
    expect(sel("+clean_film")).toEqual(["sakila_film", "raw_film", "clean_film"])
    expect(sel("streaming_films+")).toEqual(["streaming_films", "streaming_counts", "category_report", "category_state_report", "state_report"])
    expect(sel("streaming_films+1")).toEqual(["streaming_films", "streaming_counts"])
    expect(sel("clean_film+1")).toEqual(["clean_film", "film_category"])
    expect(sel("clean_film+2")).toEqual(["clean_film", "film_category", "streaming_films"])
    expect(sel("2+streaming_films")).toEqual(["streaming_checked", "clean_category", "clean_film", "clean_film_category", "clean_language", "streaming_partitions", "film_category", "streaming_films"].sort((a, b) => g.order.indexOf(a as never) - g.order.indexOf(b as never)))
    expect(sel("+streaming_partitions+")).toEqual(["streaming_landing", "streaming_checked", "streaming_partitions", "streaming_films", "streaming_counts", "category_report", "category_state_report", "state_report"])
    expect(sel("raw_film, raw_language")).toEqual(["raw_film", "raw_language"])
  })

  it("fails on an unknown key with the closest known keys, and on malformed clauses", () => {
    const unknown = resolveSelection(g, "streaming_flims")
    expect(Either.isLeft(unknown)).toBe(true)
    const e = Either.getLeft(unknown).pipe((o) => (o._tag === "Some" ? o.value : undefined))!
    expect(e.suggestions[0]).toBe("streaming_films")
    expect(e.message).toContain("did you mean 'streaming_films'")
    expect(Either.isLeft(resolveSelection(g, "++film"))).toBe(true)
    expect(Either.isLeft(resolveSelection(g, ""))).toBe(true)
    expect(Either.isLeft(resolveSelection(g, "Film Category"))).toBe(true)
  })
})

describe("sources", () => {
  it("a source needs no compute and is part of the graph", async () => {
    const src = defineSource({ key: "src", observe: Effect.succeed({ _tag: "Whole" as const, dataVersion: "v1" }) })
    const g = buildGraph([src, asset("down", { src })])
    expect(g.order).toEqual(["src", "down"])
    expect(g.inputs("down" as never)[0]!.mapping._tag).toBe("WholeUpstream")
  })
})
