import { join } from "node:path"
import { Duration, Effect, Exit, FiberSet, Layer, ManagedRuntime, Redacted, Scope } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import type { AnyAssetDef } from "sakila-assets"
import { eager } from "../runtime/automation/AutomationCondition.js"
import { makeDaemon } from "../runtime/automation/daemon.js"
import type { Tick } from "../runtime/automation/TickStore.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { buildGraph } from "../runtime/graph/AssetGraph.js"
import { Project } from "../runtime/project/Project.js"
import * as DuckDB from "../resources/duckdb/DuckDB.js"
import * as DuckDBEngine from "../resources/duckdb/DuckDBEngine.js"
import * as MysqlEventStore from "../resources/event-store/MysqlEventStore.js"
import * as LocalLake from "../resources/lake-fs/LocalLake.js"
import { createEmptyDatabase, mysqlAvailability, type SakilaDatabase } from "./support/sakilaDatabase.js"
import { chain, landTick } from "./support/synthetic.js"
import { tempDir } from "./support/testProject.js"

const mysql = await mysqlAvailability()
const databases: Array<SakilaDatabase> = []
const closers: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const c of closers) await c()
  for (const d of databases) await d.drop()
})

const MONTHS = ["2023-01", "2023-02", "2023-03"]

describe("daemons sharing a MariaDB event store", () => {
  it.skipIf(!mysql.ok)("two daemons ticking at the same moments launch each run once: every change is materialized exactly once", async () => {
    const db = await createEmptyDatabase("assets_daemons")
    databases.push(db)
    const dir = tempDir("assets-daemons-")
    const graph = buildGraph(chain(2).map((a): AnyAssetDef => (a._tag === "Asset" ? { ...a, automation: eager() } : a)))
    // each daemon with its own connections to the store, as two processes would have
    const daemon = async () => {
      const runtime = ManagedRuntime.make(
        Layer.mergeAll(
          DuckDBEngine.layer.pipe(Layer.provide(DuckDB.layer({ threads: 1 }))),
          MysqlEventStore.layer(Redacted.make(db.url)),
          Layer.succeed(Project, { name: "daemons", graph })
        ).pipe(Layer.provideMerge(LocalLake.layer(join(dir, "lake"))))
      )
      const scope = await runtime.runPromise(Scope.make())
      const d = await runtime.runPromise(Effect.provideService(makeDaemon({ budget: Duration.seconds(30), concurrency: 2 }), Scope.Scope, scope))
      closers.push(async () => {
        await runtime.runPromise(Scope.close(scope, Exit.void))
        await runtime.dispose()
      })
      return { runtime, tick: () => runtime.runPromise(d.tick), settle: () => runtime.runPromise(FiberSet.awaitEmpty(d.runs)) }
    }
    const a = await daemon()
    const b = await daemon()

    const ticks: Array<Tick> = []
    const rounds = 3
    for (let round = 1; round <= rounds; round++) {
      for (const m of MONTHS) await a.runtime.runPromise(landTick(m, Array.from({ length: round }, (_, i) => `line ${i}`)))
      // each round: both tick together twice, then once more after their runs ended (nothing left to do)
      for (let i = 0; i < 2; i++) {
        ticks.push(...(await Promise.all([a.tick(), b.tick()])))
        await Promise.all([a.settle(), b.settle()])
      }
    }
    const launched = ticks.flatMap((t) => t.decisions.filter((d) => d.decision === "run").map((d) => `${d.asset}[${d.partition}]`))
    // three rounds of three months for two assets: each launched once per change, by one daemon or the other
    expect(launched).toHaveLength(rounds * MONTHS.length * 2)
    expect(new Set(ticks.flatMap((t) => t.runIds)).size).toBe(ticks.filter((t) => t.runIds.length > 0).length)

    const store = await a.runtime.runPromise(
      Effect.flatMap(EventStore, (s) => Effect.all([s.materializations({ asset: "step1" as never, limit: 100 }), s.materializations({ asset: "step2" as never, limit: 100 }), s.runs({ limit: 100 })]))
    )
    for (const ms of [store[0], store[1]]) {
      expect(ms).toHaveLength(rounds * MONTHS.length)
      for (const m of MONTHS) expect(ms.filter((x) => x.partition === m)).toHaveLength(rounds)
    }
    expect(store[2].every((r) => r.status === "SUCCESS")).toBe(true)
  })
})
