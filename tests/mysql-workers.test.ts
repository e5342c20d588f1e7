import { spawn, spawnSync } from "node:child_process"
import { resolve } from "node:path"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import * as MysqlEventStore from "../resources/event-store/MysqlEventStore.js"
import { BackfillStore } from "../runtime/backfill/BackfillStore.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { monthRange } from "../assets/generated/simulateStreams.js"
import { createEmptyDatabase, mysqlAvailability, type SakilaDatabase } from "./support/sakilaDatabase.js"
import { chain, landTick } from "./support/synthetic.js"
import { tempDir, testProject } from "./support/testProject.js"

const mysql = await mysqlAvailability()
const bin = resolve("bin/assets.js")
const databases: Array<SakilaDatabase> = []
afterAll(async () => {
  for (const d of databases) await d.drop()
})

describe("workers sharing a MariaDB event store", () => {
  it.skipIf(!mysql.ok)("three processes starting at once on a new store all start: the ones that did not migrate wait for the one that did", async () => {
    const db = await createEmptyDatabase("assets_migrate")
    databases.push(db)
    const env = { ...process.env, SYNTH_DIR: tempDir(), SYNTH_EVENT_STORE: db.url, ASSETS_CONFIG: resolve("tests/fixtures/synthetic.config.ts") }
    const start = (args: ReadonlyArray<string>) =>
      new Promise<{ code: number | null; out: string }>((done) => {
        const c = spawn(process.execPath, [bin, ...args], { env, stdio: "pipe" })
        let out = ""
        c.stdout.on("data", (d: Buffer) => (out += d.toString()))
        c.stderr.on("data", (d: Buffer) => (out += d.toString()))
        c.once("exit", (code) => done({ code, out }))
      })
    const results = await Promise.all([start(["backfill", "list"]), start(["runs"]), start(["status"])])
    for (const r of results) expect(r.code, r.out).toBe(0)
  })

  it.skipIf(!mysql.ok)("two worker processes finish one backfill together, each doing part of it", async () => {
    const db = await createEmptyDatabase("assets_workers")
    databases.push(db)
    const dir = tempDir()
    const landing = testProject({ assets: chain(2), dir })
    for (const m of monthRange("2023-01", "2023-12")) await landing.run(landTick(m, ["a"]))
    await landing.dispose(false)

    const env = { ...process.env, SYNTH_DIR: dir, SYNTH_DELAY_MS: "250", SYNTH_EVENT_STORE: db.url, ASSETS_CONFIG: resolve("tests/fixtures/synthetic.config.ts") }
    const created = spawnSync(process.execPath, [bin, "backfill", "step2", "--from", "2023-01", "--to", "2023-12", "--detach", "--json"], { env, encoding: "utf8" })
    expect(created.status, created.stderr).toBe(0)
    const { id, tasks } = JSON.parse(created.stdout.slice(created.stdout.indexOf("{"))) as { id: string; tasks: number }
    expect(tasks).toBe(24)

    const worker = () =>
      new Promise<{ code: number | null; out: string }>((done) => {
        const c = spawn(process.execPath, [bin, "worker", "--until-idle", "--concurrency", "1", "--poll-ms", "200"], { env, stdio: "pipe" })
        let out = ""
        c.stdout.on("data", (d: Buffer) => (out += d.toString()))
        c.stderr.on("data", (d: Buffer) => (out += d.toString()))
        c.once("exit", (code) => done({ code, out }))
      })
    const results = await Promise.all([worker(), worker()])
    for (const r of results) expect(r.code, r.out).toBe(0)

    const runtime = ManagedRuntime.make(MysqlEventStore.layer(Redacted.make(db.url)) as Layer.Layer<EventStore | BackfillStore>)
    try {
      const [backfill, all] = await runtime.runPromise(Effect.flatMap(BackfillStore, (s) => Effect.all([s.get(id), s.tasks(id)])))
      expect(backfill!.status).toBe("COMPLETED")
      expect(all.every((t) => t.state === "succeeded")).toBe(true)
      const byWorker = new Map<string, number>()
      for (const t of all) byWorker.set(t.worker!, (byWorker.get(t.worker!) ?? 0) + 1)
      expect(byWorker.size, JSON.stringify([...byWorker])).toBe(2)
      for (const n of byWorker.values()) expect(n).toBeGreaterThan(0)
      // exactly one materialization per asset partition, whoever ran it
      for (const asset of ["step1", "step2"]) {
        const ms = await runtime.runPromise(Effect.flatMap(EventStore, (s) => s.materializations({ asset: asset as never, limit: 100 })))
        expect(new Set(ms.map((m) => m.partition)).size).toBe(12)
        expect(ms.length).toBe(12)
      }
    } finally {
      await runtime.dispose()
    }
  })
})
