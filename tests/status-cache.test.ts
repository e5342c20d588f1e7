import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, ManagedRuntime, Redacted, Schema } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { defineAsset, defineSource, dep, selfDependency, type AnyAssetDef } from "../runtime/asset/Asset.js"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { Column } from "../runtime/asset/columns.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { newId } from "../runtime/events/ids.js"
import type { InputRecord } from "../runtime/events/records.js"
import { loadState } from "../runtime/execute/materialize.js"
import { buildGraph, type AssetGraph } from "../runtime/graph/AssetGraph.js"
import { dynamicPartitions } from "../runtime/partitions/DynamicPartitions.js"
import { timeWindow } from "../runtime/partitions/mappings/timeWindow.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { staticPartitions } from "../runtime/partitions/StaticPartitions.js"
import { monthly } from "../runtime/partitions/TimeWindowPartitions.js"
import { loadStatus } from "../runtime/status/loadStatus.js"
import { StatusResolver } from "../runtime/status/StatusResolver.js"
import { summarize, type AssetStatusSummary } from "../runtime/status/summary.js"
import * as MysqlEventStore from "../resources/event-store/MysqlEventStore.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import { createEmptyDatabase, mysqlAvailability, type SakilaDatabase } from "./support/sakilaDatabase.js"
import { seededRandom } from "./support/seededRandom.js"

/**
 * The cached status path (runtime/status/loadStatus.ts: fingerprints, cached entries, only the changed assets'
 * records read) gives exactly what the full resolver gives over every record, on random graphs through random
 * histories: materializations with current, stale or missing inputs, code changes, sources changing, dynamic keys
 * added. A property test over seeds, on SQLite and on MariaDB.
 */

const Row = Schema.Struct({ n: Column.bigint })
const months = monthly({ start: "2023-01", end: "2023-06" })
const kinds = staticPartitions(["north", "south", "east"])
const regions = dynamicPartitions("regions")
const now = new Date("2026-01-01T00:00:00Z")

/** What a random history changes of the definitions: code versions and what the sources show. */
interface World {
  readonly code: Map<string, number>
  readonly observed: Map<string, Map<string, string> | string | undefined>
}

type Shape = { readonly key: string; readonly kind: "source" | "asset"; readonly partitions: "months" | "kinds" | "regions" | "none"; readonly reads: ReadonlyArray<{ readonly from: number; readonly window: boolean }>; readonly self: boolean }

/** A random DAG's shape: which assets, partitioned how, reading which earlier ones (same partitioning or unpartitioned). */
const randomShape = (random: () => number, size: number): ReadonlyArray<Shape> => {
  const shapes: Array<Shape> = []
  const pick = <A>(xs: ReadonlyArray<A>) => xs[Math.floor(random() * xs.length)]!
  for (let i = 0; i < size; i++) {
    const partitions = pick(["months", "months", "kinds", "regions", "none"] as const)
    if (i < 2 || random() < 0.1) {
      shapes.push({ key: `s${i}`, kind: "source", partitions: partitions === "regions" ? "none" : partitions, reads: [], self: false })
      continue
    }
    const candidates = shapes.map((s, j) => ({ s, j })).filter(({ s }) => s.partitions === partitions || s.partitions === "none" || partitions === "none")
    const reads: Array<{ from: number; window: boolean }> = []
    for (let d = 0; d < 1 + Math.floor(random() * 3) && candidates.length > 0; d++) {
      const { s, j } = pick(candidates)
      if (reads.some((r) => r.from === j)) continue
      reads.push({ from: j, window: s.partitions === "months" && partitions === "months" && random() < 0.3 })
    }
    shapes.push({ key: `a${i}`, kind: "asset", partitions, reads, self: partitions === "months" && random() < 0.15 })
  }
  return shapes
}

const definitionOf = { months, kinds, regions, none: undefined } as const

/** The graph of a shape as the world defines it now. */
const graphOf = (shapes: ReadonlyArray<Shape>, world: World): AssetGraph => {
  const defs: Array<AnyAssetDef> = []
  for (const shape of shapes) {
    const partitions = definitionOf[shape.partitions]
    if (shape.kind === "source") {
      const seen = world.observed.get(shape.key)
      defs.push(
        defineSource({
          key: shape.key,
          ...(partitions ? { partitions } : {}),
          observe: Effect.sync(() =>
            seen instanceof Map
              ? { _tag: "Partitioned" as const, partitions: new Map([...seen].map(([p, v]) => [p as PartitionKey, v] as const)) }
              : { _tag: "Whole" as const, dataVersion: seen ?? "none" }
          )
        }) as AnyAssetDef
      )
      continue
    }
    const deps: Record<string, unknown> = {}
    for (const r of shape.reads) {
      deps[`in${r.from}`] = r.window ? dep(defs[r.from]!, timeWindow({ startOffset: -1, endOffset: 0 })) : defs[r.from]!
    }
    if (shape.self) deps["previous"] = selfDependency(timeWindow({ startOffset: -1, endOffset: -1 }))
    defs.push(
      defineAsset({
        key: shape.key,
        ...(partitions ? { partitions } : {}),
        deps: deps as never,
        schema: Row,
        codeVersion: `c${world.code.get(shape.key) ?? 0}`,
        compute: () => Effect.void
      }) as AnyAssetDef
    )
  }
  return buildGraph(defs)
}

/** A summary as plain data, each partition's causes written (a partition keeps them until read) */
const shownOf = (s: AssetStatusSummary, newest: number | undefined) => ({ ...s, partitions: s.partitions.map((p) => p.shown()), newest: newest ?? null })

/** Everything status shows of every asset, through one path or the other. */
const statusesThrough = (graph: AssetGraph, cached: boolean, batchPartitions?: number) =>
  Effect.gen(function* () {
    const keys = graph.order
    if (cached) {
      const view = yield* loadStatus(graph, keys, { now, ...(batchPartitions === undefined ? {} : { batchPartitions }) })
      const shown = keys.map((k) => shownOf(summarize(view.resolver, k), view.resolver.newestMaterializedAt(k)))
      yield* view.save
      return { shown, cachedAssets: view.cached, restated: view.restated }
    }
    const resolver = new StatusResolver(graph, yield* loadState(graph, keys), now)
    return { shown: keys.map((k) => shownOf(summarize(resolver, k), resolver.newestMaterializedAt(k))), cachedAssets: 0, restated: 0 }
  })

/** One random step of history: a materialization (inputs current, stale, or one left out), a code change, a source change, a dynamic key. */
const step = (random: () => number, shapes: ReadonlyArray<Shape>, world: World, graph: AssetGraph, n: number) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const roll = random()
    const assets = shapes.filter((s) => s.kind === "asset")
    const sources = shapes.filter((s) => s.kind === "source")
    if (roll < 0.08 && assets.length > 0) {
      const a = assets[Math.floor(random() * assets.length)]!
      world.code.set(a.key, (world.code.get(a.key) ?? 0) + 1)
      return "code"
    }
    if (roll < 0.18 && sources.length > 0) {
      const s = sources[Math.floor(random() * sources.length)]!
      const def = definitionOf[s.partitions]
      if (def === undefined) world.observed.set(s.key, `v${Math.floor(random() * 3)}`)
      else {
        const was = world.observed.get(s.key)
        const next = new Map(was instanceof Map ? was : [])
        const keys = def.keys({ now, dynamicKeys: () => [], hasDynamicKey: () => false } as never)
        const p = keys[Math.floor(random() * keys.length)]!
        if (random() < 0.2) next.delete(p)
        else next.set(p, `v${Math.floor(random() * 3)}`)
        world.observed.set(s.key, next)
      }
      return "source"
    }
    if (roll < 0.23) {
      yield* store.addDynamicPartitions("regions", [`r${Math.floor(random() * 4)}`])
      return "dynamic"
    }
    // a materialization of a random partition that exists now, reading what it would read now, sometimes not quite
    const resolver = new StatusResolver(graph, yield* loadState(graph, graph.order), now)
    const a = assets[Math.floor(random() * assets.length)]!
    const key = a.key as AssetKey
    const available = resolver.available(key)
    const keys = graph.get(key).partitions?.keys(resolver.ctx) ?? [null]
    const pool = random() < 0.8 && available.length > 0 ? available : keys
    if (pool.length === 0) return "nothing"
    const partition = pool[Math.floor(random() * pool.length)]!
    const inputs: Array<InputRecord> = []
    for (const i of resolver.currentInputs(key, partition)) {
      if (i.dataVersion === undefined) continue
      const r = random()
      if (r < 0.05) continue
      inputs.push({ asset: i.edge.upstream, partition: i.partition, dataVersion: r < 0.1 ? "old" : i.dataVersion, producerId: i.producerId })
    }
    const at = new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString()
    yield* store.recordMaterialization({
      id: newId("mat"),
      runId: "history",
      asset: key,
      partition,
      codeVersion: `c${world.code.get(a.key) ?? 0}`,
      dataVersion: `d${Math.floor(random() * 3)}`,
      rowCount: 1,
      metadata: {},
      startedAt: at,
      endedAt: at,
      inputs
    })
    return "materialized"
  })

type StoreLayer = Layer.Layer<EventStore, unknown>

const property = async (layerFor: (seed: number) => Promise<{ layer: StoreLayer; done: () => Promise<void> }>, seeds: ReadonlyArray<number>) => {
  let hits = 0
  for (const seed of seeds) {
    const random = seededRandom(seed)
    const shapes = randomShape(random, 6 + Math.floor(random() * 8))
    const world: World = { code: new Map(), observed: new Map() }
    const { layer, done } = await layerFor(seed)
    const runtime = ManagedRuntime.make(layer)
    try {
      for (let n = 0; n < 40; n++) {
        const graph = graphOf(shapes, world)
        const what = await runtime.runPromise(step(random, shapes, world, graph, n))
        const current = graphOf(shapes, world)
        const exact = await runtime.runPromise(statusesThrough(current, false))
        // every other step computes one asset at a time, each answered from what was computed once done and
        // the records nothing left reads dropped, as a status over a million partitions does
        const first = await runtime.runPromise(statusesThrough(current, true, n % 2 === 0 ? 1 : undefined))
        const again = await runtime.runPromise(statusesThrough(current, true))
        hits += again.cachedAssets
        const where = `seed ${seed}, step ${n} (${what})`
        expect(first.shown, where).toEqual(exact.shown)
        expect(again.shown, where).toEqual(exact.shown)
      }
    } finally {
      await runtime.dispose()
      await done()
    }
  }
  // the cache was used, not bypassed: a second status with nothing changed answers every asset from it
  expect(hits).toBeGreaterThan(0)
}

const seeds = Array.from({ length: 12 }, (_, i) => 1000 + i)

/** Records a materialization of `key[partition]` that read what its inputs hold now. */
const materializeNow = (graph: AssetGraph, key: string, partition: PartitionKey | null) =>
  Effect.gen(function* () {
    const resolver = new StatusResolver(graph, yield* loadState(graph, graph.order), now)
    const inputs = resolver
      .currentInputs(key as AssetKey, partition)
      .flatMap((i) => (i.dataVersion === undefined ? [] : [{ asset: i.edge.upstream, partition: i.partition, dataVersion: i.dataVersion, producerId: i.producerId }]))
    const at = new Date(Date.UTC(2025, 0, 1)).toISOString()
    yield* (yield* EventStore).recordMaterialization({
      id: newId("mat"),
      runId: "history",
      asset: key as AssetKey,
      partition,
      codeVersion: "c0",
      dataVersion: "d0",
      rowCount: 1,
      metadata: {},
      startedAt: at,
      endedAt: at,
      inputs
    })
  })

/**
 * A new partition at a source reaches two levels down, where nothing else changed. The monthly asset there is
 * restated from its entry (its upstream's partitions grew at their end: the new month is missing, the others as
 * they were); the unpartitioned one reads every month, the new one too, so it is computed again.
 */
const newPartitionTwoDown = async (layer: StoreLayer) => {
  const shapes: ReadonlyArray<Shape> = [
    { key: "s0", kind: "source", partitions: "months", reads: [], self: false },
    { key: "a1", kind: "asset", partitions: "months", reads: [{ from: 0, window: false }], self: false },
    { key: "a2", kind: "asset", partitions: "months", reads: [{ from: 1, window: false }], self: false },
    { key: "a3", kind: "asset", partitions: "none", reads: [{ from: 1, window: false }], self: false }
  ]
  const world: World = { code: new Map(), observed: new Map([["s0", new Map([["2023-01", "v0"]])]]) }
  const runtime = ManagedRuntime.make(layer)
  try {
    const shown = async () => {
      const graph = graphOf(shapes, world)
      const exact = await runtime.runPromise(statusesThrough(graph, false))
      const cached = await runtime.runPromise(statusesThrough(graph, true))
      expect(cached.shown).toEqual(exact.shown)
      return cached
    }
    const month = "2023-01" as PartitionKey
    for (const [key, partition] of [["a1", month], ["a2", month], ["a3", null]] as const) {
      await runtime.runPromise(materializeNow(graphOf(shapes, world), key, partition))
    }
    await shown()
    world.observed.set("s0", new Map([["2023-01", "v0"], ["2023-02", "v1"]]))
    const after = await shown()
    const of = (key: string) => after.shown.find((s) => s.asset === key)!
    expect(of("a2").partitions.map((p) => [p.partition, p.status])).toEqual([["2023-01", "FRESH"], ["2023-02", "MISSING"]])
    expect(of("a3").partitions[0]!.causes.map((c) => c._tag)).toEqual(["UpstreamMissing"])
    expect(after.restated).toBe(1)
  } finally {
    await runtime.dispose()
  }
}

describe("status through the cache equals the full resolver", () => {
  it("on SQLite, random graphs and histories", async () => {
    await property(async () => {
      const dir = mkdtempSync(join(tmpdir(), "status-cache-"))
      return { layer: SqliteEventStore.layer(join(dir, "events.sqlite")), done: async () => rmSync(dir, { recursive: true, force: true }) }
    }, seeds)
  }, 300_000)

  it("a new source partition two levels down", async () => {
    const dir = mkdtempSync(join(tmpdir(), "status-cache-"))
    try {
      await newPartitionTwoDown(SqliteEventStore.layer(join(dir, "events.sqlite")))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  const databases: Array<SakilaDatabase> = []
  afterAll(async () => {
    for (const d of databases) await d.drop()
  })
  it("on MariaDB, random graphs and histories", async (ctx) => {
    const mysql = await mysqlAvailability()
    if (!mysql.ok) return ctx.skip(mysql.reason)
    await property(async () => {
      const db = await createEmptyDatabase("status_cache")
      databases.push(db)
      return { layer: MysqlEventStore.layer(Redacted.make(db.url)), done: async () => {} }
    }, seeds.slice(0, 6))
  }, 300_000)
})
