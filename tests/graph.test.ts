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
import { timeWindow } from "../runtime/partitions/mappings/timeWindow.js"
import { DirectedGraph } from "graphology"
import { hasCycle } from "graphology-dag"
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
  it("finds a cycle at the end of a 200,000-asset chain (no stack overflow, no argument list that long), and a chain without one is valid", () => {
    const chain: Array<AnyAssetDef> = [asset("c0")]
    for (let i = 1; i < 200_000; i++) chain.push(asset(`c${i}`, { up: chain[i - 1]! }))
    expect(problemsOf(chain)).toEqual([])
    // c0 reads the last one: the whole chain is one cycle, reported from its smallest key
    const looped = [asset("c0", { up: chain[199_999]! }), ...chain.slice(1)]
    const problems = problemsOf(looped.map((a) => (a.key === "c1" ? asset("c1", { up: looped[0]! }) : a)))
    expect(problems.length).toBe(1)
    expect(problems[0]).toMatch(/^cycle: c0 -> c1 -> c2 -> .* -> c199999 -> c0$/)
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

  // the order and the cycles are worked out on the edges as read, not on the graphology graph: checked against
  // that graph, on random graphs with the edges that count differently (an upstream read twice, an asset reading
  // its own earlier partitions)
  const randomAssets = (seed: number, size: number, backEdges: number) => {
    let x = seed
    const random = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const name = (i: number) => `a${Math.floor(random() * 1e6)}_${i}`
    const keys = Array.from({ length: size }, (_, i) => name(i))
    const reads = keys.map((_, i) => Array.from({ length: i === 0 ? 0 : Math.floor(random() * 4) }, () => Math.floor(random() * i)))
    for (let b = 0; b < backEdges; b++) {
      const i = Math.floor(random() * (size - 1))
      reads[i]!.push(i + 1 + Math.floor(random() * (size - 1 - i)))
    }
    const months = monthly({ start: "2023-01" })
    const defs: Array<AnyAssetDef> = []
    const byIndex = new Map<number, AnyAssetDef>()
    // a placeholder per key first, so a back edge can name an asset defined after it
    const stub = (i: number): AnyAssetDef => byIndex.get(i) ?? ({ _tag: "Asset", key: keys[i], partitions: months, deps: {} } as unknown as AnyAssetDef)
    keys.forEach((key, i) => {
      const deps: Record<string, unknown> = {}
      reads[i]!.forEach((j, n) => (deps[`in${n}`] = stub(j)))
      if (i % 7 === 3) deps["previous"] = dep({ _tag: "Asset", key, partitions: months, deps: {} } as never, timeWindow({ startOffset: -1, endOffset: -1 }))
      const a = defineAsset({ key, deps: deps as never, schema, partitions: months, sql: () => `SELECT 1 AS x -- ${key}` })
      byIndex.set(i, a)
      defs.push(a)
    })
    // the back edges and self-reads name placeholders: point them at the real definitions
    for (const a of defs) for (const d of Object.values((a as { deps: Record<string, { asset: AnyAssetDef }> }).deps)) (d as { asset: AnyAssetDef }).asset = defs.find((x) => x.key === d.asset.key)!
    return defs
  }

  it("orders random graphs as Kahn's algorithm with a sorted ready list over the graphology graph, which holds each reader once", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const assets = randomAssets(seed, 40 + seed * 7, 0)
      const g = buildGraph(assets)
      const graph = g.graph
      const pairs = new Set(assets.flatMap((a) => g.inputs(a.key).filter((e) => !e.self).map((e) => `${e.upstream} ${e.downstream}`)))
      expect(graph.order).toBe(assets.length)
      expect(graph.size).toBe(pairs.size)
      const indegree = new Map(graph.nodes().map((n) => [n, graph.inDegree(n)]))
      let ready = graph.nodes().filter((n) => indegree.get(n) === 0).sort()
      const order: Array<string> = []
      while (ready.length > 0) {
        const next: Array<string> = []
        for (const n of ready) {
          order.push(n)
          graph.forEachOutNeighbor(n, (m) => {
            indegree.set(m, indegree.get(m)! - 1)
            if (indegree.get(m) === 0) next.push(m)
          })
        }
        ready = next.sort()
      }
      expect(g.order).toEqual(order)
    }
  })

  it("of two shortest chains, reports the one through the smaller keys, in any order of the assets", () => {
    // a -> b1 -> c -> a and a -> b2 -> c -> a
    const a0 = { _tag: "Asset", key: "a", deps: {} } as unknown as AnyAssetDef
    const b1 = asset("b1", { a: a0 })
    const b2 = asset("b2", { a: a0 })
    const a = asset("a", { c: asset("c", { x: b2, y: b1 }) })
    const c = Object.values((a as unknown as { deps: Record<string, { asset: AnyAssetDef }> }).deps)[0]!.asset
    for (const b of [b1, b2]) for (const d of Object.values((b as unknown as { deps: Record<string, { asset: AnyAssetDef }> }).deps)) d.asset = a
    expect(problemsOf([a, b2, b1, c])).toEqual(["cycle: a -> b1 -> c -> a"])
    expect(problemsOf([c, b1, b2, a])).toEqual(["cycle: a -> b1 -> c -> a"])
  })

  it("on random graphs with back edges, reports a cycle exactly when the graph has one, each a chain of real edges from its smallest key, the same in any order of the assets", () => {
    let cyclic = 0
    for (let seed = 1; seed <= 30; seed++) {
      const assets = randomAssets(seed, 30 + seed * 5, seed % 5 === 0 ? 0 : 4 * (seed % 4) + 3)
      const problems = problemsOf(assets)
      const reads = new Set(assets.flatMap((a) => Object.values((a as { deps: Record<string, { asset: AnyAssetDef }> }).deps).filter((d) => d.asset !== a).map((d) => `${d.asset.key} ${a.key}`)))
      const graph = new DirectedGraph()
      for (const a of assets) graph.addNode(a.key)
      for (const r of reads) graph.mergeEdge(...(r.split(" ") as [string, string]))
      expect(problems.length > 0).toBe(hasCycle(graph))
      // the same chains whatever the order the assets come in
      expect(problemsOf([...assets].reverse())).toEqual(problems)
      if (problems.length > 0) cyclic++
      const starts: Array<string> = []
      for (const p of problems) {
        const chain = p.replace(/^cycle: /, "").split(" -> ")
        expect(chain[0]).toBe(chain[chain.length - 1])
        for (let i = 1; i < chain.length; i++) expect(reads.has(`${chain[i - 1]} ${chain[i]}`), `${chain[i - 1]} -> ${chain[i]}`).toBe(true)
        // from its smallest key
        expect(chain.slice(0, -1).every((k) => chain[0]! <= k)).toBe(true)
        starts.push(chain[0]!)
      }
      expect(starts).toEqual([...starts].sort((a, b) => a.localeCompare(b)))
    }
    // both kinds were met
    expect(cyclic).toBeGreaterThan(10)
    expect(cyclic).toBeLessThan(30)
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
