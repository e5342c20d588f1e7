/**
 * One `assets status`'s work in a process of its own, for bench/runtime.ts: so each figure starts as a command does
 * (nothing in memory) and the peak RSS is that of this status alone. Prints one JSON line.
 *
 *   npx tsx bench/statusChild.ts <sqlite file | mysql url> <size> <monthly|daily> [change <asset index>]
 *
 * With `change`, it first records a new version of every partition of one asset (a run that re-materialized it),
 * then times the status after it: what a status costs when one asset changed since the last.
 */
import { Effect, ManagedRuntime, Redacted } from "effect"
import { buildGraph } from "../runtime/graph/AssetGraph.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { newId } from "../runtime/events/ids.js"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { loadStatus } from "../runtime/status/loadStatus.js"
import { loadRunStates, summarize } from "../runtime/status/summary.js"
import * as MysqlEventStore from "../resources/event-store/MysqlEventStore.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import { syntheticGraph, threeYearsOfDays } from "./syntheticGraph.js"

const [where, sizeText, shape, verb, indexText] = process.argv.slice(2)
const size = Number(sizeText)
const { assets } = shape === "daily" ? syntheticGraph(size, 7, threeYearsOfDays) : syntheticGraph(size)
const graph = buildGraph(assets)
const runtime = ManagedRuntime.make(where!.startsWith("mysql:") ? MysqlEventStore.layer(Redacted.make(where!)) : SqliteEventStore.layer(where!))

if (verb === "change") {
  const key = graph.order.filter((k) => graph.get(k)._tag === "Asset")[Number(indexText)] as AssetKey
  await runtime.runPromise(
    Effect.gen(function* () {
      const store = yield* EventStore
      const current = yield* store.currentMaterializations([key])
      for (const m of current) yield* store.recordMaterialization({ ...m, id: newId("m"), dataVersion: `${m.dataVersion}'` })
    })
  )
}

const t0 = performance.now()
const result = await runtime.runPromise(
  Effect.gen(function* () {
    const view = yield* loadStatus(graph, graph.order)
    const t1 = performance.now()
    const runStates = yield* loadRunStates(graph.order)
    const t2 = performance.now()
    const summaries = graph.order.map((k) => summarize(view.resolver, k, runStates))
    const t3 = performance.now()
    yield* view.save
    const phases = { load: t1 - t0, runStates: t2 - t1, summarize: t3 - t2, save: performance.now() - t3 }
    return { summaries, cached: view.cached, computed: view.computed, restated: view.restated, phases }
  })
)
const ms = performance.now() - t0
const total = result.summaries.reduce((n, s) => n + s.partitions.length, 0)
const fresh = result.summaries.reduce((n, s) => n + s.counts.FRESH, 0)
await runtime.dispose()
console.log(JSON.stringify({ ms, total, fresh, cached: result.cached, computed: result.computed, restated: result.restated, phases: result.phases, rssMb: process.resourceUsage().maxRSS / 1024 }))
