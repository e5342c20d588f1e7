import { spawn } from "node:child_process"
import { rmSync } from "node:fs"
import { join, resolve } from "node:path"
import { Cause, Effect, Exit, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { BackfillStore } from "../runtime/backfill/BackfillStore.js"
import type { CheckResult } from "../runtime/checks/CheckResult.js"
import { CheckStore } from "../runtime/checks/CheckStore.js"
import type { BackfillTask } from "../runtime/backfill/records.js"
import { EventStore } from "../runtime/events/EventStore.js"
import { LeaseStore } from "../runtime/lease/LeaseStore.js"
import { newId } from "../runtime/events/ids.js"
import type { Observation, Run } from "../runtime/events/records.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { MAX_CODE_VERSION } from "../runtime/asset/versionLimits.js"
import { storeBackends } from "./support/storeBackends.js"
import { aMaterialization } from "./support/aMaterialization.js"
import { tempDir } from "./support/testProject.js"

const backends = await storeBackends("assets_events_test")

const key = (s: string) => s as AssetKey
const month = (s: string) => s as PartitionKey

const aRun = (over: Partial<Run> = {}): Run => ({
  id: newId("r"),
  kind: "materialize",
  selection: "category_report",
  status: "STARTED",
  host: "test-host",
  pid: 4242,
  startedAt: new Date().toISOString(),
  endedAt: null,
  heartbeatAt: Date.now(),
  ...over
})

const anObservation = (asset: string, dataVersion: string, partition: string | null = null): Observation => ({
  id: newId("o"),
  asset: key(asset),
  partition: partition === null ? null : month(partition),
  dataVersion,
  observedAt: new Date().toISOString()
})

describe("the SQLite event store shared by processes", () => {
  it("records observations from two processes at once without failing either", async () => {
    const dir = tempDir("event-store-processes-")
    const file = join(dir, "events.sqlite")
    // the migrations first, so the two processes race on observations only
    await Effect.runPromise(Effect.provide(EventStore, SqliteEventStore.layer(file)))
    const run = (name: string) =>
      new Promise<{ code: number | null; err: string }>((done) => {
        const c = spawn(process.execPath, ["--import", "tsx", resolve("tests/fixtures/observeMany.ts"), file, name, "300"], { stdio: "pipe" })
        let err = ""
        c.stderr.on("data", (d: Buffer) => (err += d.toString()))
        c.once("exit", (code) => done({ code, err }))
      })
    const results = await Promise.all([run("a"), run("b")])
    rmSync(dir, { recursive: true, force: true })
    expect(results, results.map((r) => r.err).join("\n")).toEqual([
      { code: 0, err: expect.any(String) },
      { code: 0, err: expect.any(String) }
    ])
  }, 60_000)
})

describe.each(backends)("event store contract on $name", (backend) => {
  let runtime: ManagedRuntime.ManagedRuntime<EventStore | BackfillStore | LeaseStore | CheckStore, unknown>
  let close: () => Promise<void>
  let layer: Awaited<ReturnType<typeof backend.open>>["layer"]
  const run = <A, E>(f: (store: EventStore["Type"]) => Effect.Effect<A, E>) => runtime.runPromise(Effect.flatMap(EventStore, f))

  beforeAll(async () => {
    if (backend.skip) return
    const opened = await backend.open()
    close = opened.close
    layer = opened.layer
    runtime = ManagedRuntime.make(opened.layer)
    await runtime.runPromise(EventStore)
  })
  afterAll(async () => {
    if (backend.skip) return
    await runtime.dispose()
    await close()
  })

  it.skipIf(backend.skip)("starts, ends, lists and pages runs", async () => {
    const runs = [aRun(), aRun(), aRun({ kind: "backfill" })]
    for (const r of runs) await run((s) => s.startRun(r))
    await run((s) => s.endRun(runs[0]!.id, "SUCCESS"))

    const one = await run((s) => s.run(runs[0]!.id))
    expect(one).toMatchObject({ id: runs[0]!.id, status: "SUCCESS", pid: 4242, kind: "materialize" })
    expect(one!.endedAt).not.toBeNull()
    expect(await run((s) => s.run("r-none"))).toBeUndefined()

    const started = await run((s) => s.runs({ status: "STARTED", limit: 10 }))
    expect(started.map((r) => r.id)).toEqual([runs[2]!.id, runs[1]!.id])
    expect(started[0]!.kind).toBe("backfill")

    const page1 = await run((s) => s.runs({ limit: 2 }))
    const page2 = await run((s) => s.runs({ limit: 2, before: page1.at(-1)!.id }))
    expect([...page1, ...page2].map((r) => r.id)).toEqual([runs[2]!.id, runs[1]!.id, runs[0]!.id])
  })

  it.skipIf(backend.skip)("appends run events in order and reads them after a sequence number", async () => {
    const r = aRun()
    await run((s) => s.startRun(r))
    const at = new Date().toISOString()
    await run((s) =>
      s.appendEvents([
        { runId: r.id, at, type: "RUN_START", asset: null, partition: null, message: "start" },
        { runId: r.id, at, type: "STEP_START", asset: key("streaming_films"), partition: month("2023-03"), message: "go" },
        { runId: r.id, at, type: "STEP_FAILURE", asset: key("streaming_films"), partition: month("2023-03"), message: "x".repeat(70_000) }
      ])
    )
    const events = await run((s) => s.runEvents(r.id))
    expect(events.map((e) => e.type)).toEqual(["RUN_START", "STEP_START", "STEP_FAILURE"])
    expect(events[1]).toMatchObject({ asset: "streaming_films", partition: "2023-03", message: "go" })
    expect(events[0]!.partition).toBeNull()
    expect(events[2]!.message.length).toBe(70_000)
    const after = await run((s) => s.runEvents(r.id, events[0]!.seq))
    expect(after.map((e) => e.type)).toEqual(["STEP_START", "STEP_FAILURE"])
  })

  it.skipIf(backend.skip)("records materializations with their inputs, keeps the current one, pages history and finds consumers", async () => {
    const film1 = aMaterialization("clean_film", null)
    const film2 = aMaterialization("clean_film", null, { codeVersion: "code2" })
    await run((s) => s.recordMaterialization(film1))
    await run((s) => s.recordMaterialization(film2))
    const inputs = Array.from({ length: 1200 }, (_, i) => ({
      asset: key("streaming_partitions"),
      partition: month(`${2000 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`),
      dataVersion: `v${i}`,
      producerId: `m-p${i}`
    }))
    const report = aMaterialization("category_report", null, {
      inputs: [{ asset: key("clean_film"), partition: null, dataVersion: film2.dataVersion, producerId: film2.id }, ...inputs]
    })
    await run((s) => s.recordMaterialization(report))
    const monthly = ["2023-01", "2023-02", "2023-03"].map((p) => aMaterialization("streaming_films", p))
    for (const m of monthly) await run((s) => s.recordMaterialization(m))

    const back = await run((s) => s.materialization(report.id))
    expect(back).toEqual(report)
    expect(await run((s) => s.materialization("m-none"))).toBeUndefined()

    const current = await run((s) => s.currentMaterializations([key("clean_film"), key("streaming_films")]))
    expect(current.map((m) => m.id).sort()).toEqual([film2.id, ...monthly.map((m) => m.id)].sort())
    expect((await run((s) => s.currentMaterializations())).length).toBe(5)
    expect(await run((s) => s.currentMaterializations([]))).toEqual([])
    // by asset partition, each with all its inputs (the report's 1201) or none, and nothing for a slot never made
    const slots = await run((s) =>
      s.currentMaterializationsOf([
        { asset: key("category_report"), partition: null },
        { asset: key("streaming_films"), partition: month("2023-02") },
        { asset: key("streaming_films"), partition: month("1999-01") }
      ])
    )
    expect([...slots].sort((a, b) => a.asset.localeCompare(b.asset))).toEqual([report, monthly[1]])

    const history = await run((s) => s.materializations({ asset: key("clean_film"), limit: 1 }))
    expect(history.map((m) => m.id)).toEqual([film2.id])
    const older = await run((s) => s.materializations({ asset: key("clean_film"), limit: 1, before: history[0]!.id }))
    expect(older.map((m) => m.id)).toEqual([film1.id])
    expect(await run((s) => s.materializations({ asset: key("clean_film"), limit: 1, before: film1.id }))).toEqual([])
    const march = await run((s) => s.materializations({ asset: key("streaming_films"), partition: month("2023-03"), limit: 10 }))
    expect(march.map((m) => m.id)).toEqual([monthly[2]!.id])

    const consumers = await run((s) => s.consumers(film2.id))
    expect(consumers.map((m) => m.id)).toEqual([report.id])
    expect(consumers[0]!.inputs.length).toBe(1201)
    expect(await run((s) => s.consumers(film1.id))).toEqual([])
  })

  it.skipIf(backend.skip)("keeps a code version as long as an asset may give whole (MySQL refused one over 64 characters)", async () => {
    const long = aMaterialization("raw_film", null, { codeVersion: `raw-csv-2:film:${"c".repeat(MAX_CODE_VERSION - 15)}` })
    expect(long.codeVersion.length).toBe(MAX_CODE_VERSION)
    await run((s) => s.recordMaterialization(long))
    expect((await run((s) => s.materialization(long.id)))?.codeVersion).toBe(long.codeVersion)
    expect((await run((s) => s.currentMaterializations([key("raw_film")]))).map((m) => m.codeVersion)).toEqual([long.codeVersion])
  })

  it.skipIf(backend.skip)("reads a level of lineage at once: materializations by id, and the consumers of several", async () => {
    const film = aMaterialization("clean_film", null)
    const other = aMaterialization("clean_film", null)
    const report = aMaterialization("category_report", null, {
      inputs: [
        { asset: key("clean_film"), partition: null, dataVersion: film.dataVersion, producerId: film.id },
        { asset: key("streaming_films"), partition: month("2023-01"), dataVersion: "v", producerId: "o-source" }
      ]
    })
    const state = aMaterialization("state_report", null, { inputs: [{ asset: key("clean_film"), partition: null, dataVersion: film.dataVersion, producerId: film.id }] })
    for (const m of [film, other, report, state]) await run((s) => s.recordMaterialization(m))

    const byId = await run((s) => s.materializationsById([report.id, film.id, "m-none", film.id]))
    expect([...byId].sort((a, b) => a.id.localeCompare(b.id))).toEqual([film, report].sort((a, b) => a.id.localeCompare(b.id)))
    expect(await run((s) => s.materializationsById([]))).toEqual([])

    const consumers = await run((s) => s.consumersOf([film.id, other.id, report.id]))
    expect([...consumers.keys()]).toEqual([film.id])
    expect(consumers.get(film.id)).toEqual(await run((s) => s.consumers(film.id)))
    expect(consumers.get(film.id)).toEqual([report, state].sort((a, b) => a.id.localeCompare(b.id)))
    expect((await run((s) => s.consumersOf([]))).size).toBe(0)
  })

  it.skipIf(backend.skip)("records an observation only when the version changes", async () => {
    const first = anObservation("sakila_film", "v1")
    await run((s) => s.recordObservations([first, anObservation("streaming_landing", "a", "2023-01")]))
    await run((s) => s.recordObservations([anObservation("sakila_film", "v1"), anObservation("streaming_landing", "a", "2023-01")]))
    const same = await run((s) => s.currentObservations([key("sakila_film")]))
    expect(same.map((o) => o.id)).toEqual([first.id])

    const changed = anObservation("sakila_film", "v2")
    await run((s) => s.recordObservations([changed]))
    const now = await run((s) => s.currentObservations([key("sakila_film"), key("streaming_landing")]))
    expect(now.find((o) => o.asset === "sakila_film")).toEqual(changed)
    expect(now.find((o) => o.asset === "streaming_landing")).toMatchObject({ partition: "2023-01", dataVersion: "a" })
    expect(await run((s) => s.currentObservations([]))).toEqual([])
  })

  it.skipIf(backend.skip)("records a materialization with the run events that report it, in one transaction", async () => {
    const r = aRun()
    await run((s) => s.startRun(r))
    const m = aMaterialization("film_category", null, { runId: r.id })
    const at = new Date().toISOString()
    await run((s) => s.recordMaterialization(m, [{ runId: r.id, at, type: "STEP_SUCCESS", asset: key("film_category"), partition: null, message: "1000 rows" }]))
    expect((await run((s) => s.runEvents(r.id))).map((e) => [e.type, e.message])).toEqual([["STEP_SUCCESS", "1000 rows"]])
    // an event that cannot be stored takes the materialization with it
    const bad = aMaterialization("film_category", null, { runId: r.id })
    const failed = await runtime.runPromiseExit(
      Effect.flatMap(EventStore, (s) => s.recordMaterialization(bad, [{ runId: r.id, at, type: "STEP_SUCCESS", asset: null, partition: null, message: null as never }]))
    )
    expect(failed._tag).toBe("Failure")
    // the database's own reason, not only the client's "Failed to execute statement"
    expect(String(Exit.isFailure(failed) ? Cause.squash(failed.cause) : "")).toMatch(/NOT NULL constraint failed: run_events\.message|Column 'message' cannot be null/)
    expect(await run((s) => s.materialization(bad.id))).toBeUndefined()
    // the connection it failed on took nothing of it back to the pool: records after it, on every connection
    // (more at once than the pool holds), commit on their own, and the failed one stays out
    const after = Array.from({ length: 12 }, () => aMaterialization("film_category", null, { runId: r.id }))
    await Promise.all(after.map((a) => run((s) => s.recordMaterialization(a))))
    expect(await run((s) => s.materialization(bad.id))).toBeUndefined()
    // seen from connections of their own: committed
    const other = ManagedRuntime.make(layer)
    try {
      const seen = await other.runPromise(Effect.flatMap(EventStore, (s) => s.materializationsById(after.map((a) => a.id))))
      expect(seen.map((m) => m.id).sort()).toEqual(after.map((a) => a.id).sort())
      expect(await other.runPromise(Effect.flatMap(EventStore, (s) => s.materialization(bad.id)))).toBeUndefined()
    } finally {
      await other.dispose()
    }
  })

  it.skipIf(backend.skip)("gives a lease to one holder at a time; the holder renews it; an expired one is taken over", async () => {
    const leases = <A, E>(f: (l: LeaseStore["Type"]) => Effect.Effect<A, E>) => runtime.runPromise(Effect.flatMap(LeaseStore, f))
    const asset = `lease_${backend.name}`
    expect(await leases((l) => l.acquire(asset, "2023-01", "A", 60_000))).toBe(true)
    expect(await leases((l) => l.acquire(asset, "2023-01", "B", 60_000))).toBe(false)
    expect(await leases((l) => l.acquire(asset, "2023-01", "A", 60_000))).toBe(true)
    expect(await leases((l) => l.acquire(asset, "2023-02", "B", 60_000))).toBe(true)
    expect((await leases((l) => l.current(asset, "2023-01")))?.holder).toBe("A")
    await leases((l) => l.release(asset, "2023-01", "B"))
    expect((await leases((l) => l.current(asset, "2023-01")))?.holder).toBe("A")
    await leases((l) => l.release(asset, "2023-01", "A"))
    expect(await leases((l) => l.acquire(asset, "2023-01", "B", 1))).toBe(true)
    await new Promise((done) => setTimeout(done, 20))
    expect(await leases((l) => l.acquire(asset, "2023-01", "C", 60_000))).toBe(true)
    expect(await leases((l) => l.acquire(asset, "2023-01", "B", 60_000))).toBe(false)

    // one holder's leases renewed together, and only that holder's
    expect(await leases((l) => l.acquire(asset, "2023-03", "D", 1))).toBe(true)
    expect(await leases((l) => l.acquire(asset, "2023-04", "D", 1))).toBe(true)
    expect(await leases((l) => l.acquire(asset, "2023-05", "E", 1))).toBe(true)
    await leases((l) => l.renewAll("D", 60_000))
    await new Promise((done) => setTimeout(done, 20))
    expect(await leases((l) => l.acquire(asset, "2023-03", "F", 60_000))).toBe(false)
    expect(await leases((l) => l.acquire(asset, "2023-04", "F", 60_000))).toBe(false)
    expect(await leases((l) => l.acquire(asset, "2023-05", "F", 60_000))).toBe(true)
  })

  it.skipIf(backend.skip)("lets one claimer take a backfill task; the others see they lost", async () => {
    const backfills = <A, E>(f: (b: BackfillStore["Type"]) => Effect.Effect<A, E>) => runtime.runPromise(Effect.flatMap(BackfillStore, f))
    const now = new Date().toISOString()
    const id = newId("b")
    const task = (seq: number, dependsOn: Array<string> = []): BackfillTask => ({
      backfillId: id, taskId: `t${seq}`, seq, asset: "a", partition: null, dependsOn, state: "pending", attempts: 0,
      worker: null, leaseExpiresAt: null, startedAt: null, endedAt: null, message: ""
    })
    await backfills((b) =>
      b.create({ id, selection: "a", from: "2023-01", to: "2023-01", force: false, status: "RUNNING", createdAt: now, updatedAt: now, heartbeatAt: null }, [task(0), task(1, ["t0"]), task(2)])
    )
    const [first] = await backfills((b) => b.open(id, 10, 0))
    const claims = await Promise.all(["w1", "w2", "w3"].map((w) => backfills((b) => b.claim(first!, w, Date.now() + 60_000))))
    expect(claims.filter(Boolean).length).toBe(1)
    // the same task seen again as it was (pending, no attempts) can no longer be claimed
    expect(await backfills((b) => b.claim(first!, "w4", Date.now() + 60_000))).toBe(false)
    await backfills((b) => b.finish(id, "t0", ["w1", "w2", "w3"][claims.indexOf(true)]!, "failed", "boom"))
    expect(await backfills((b) => b.failedAmong(id, ["t0", "t2"]))).toEqual(["t0"])
    // the window starts where it is told to
    expect((await backfills((b) => b.open(id, 10, 2))).map((t) => t.taskId)).toEqual(["t2"])
  })

  it.skipIf(backend.skip)("reads current records by asset partition in batches, each once, and says which the lake may not show yet", async () => {
    // 250 partitions of an asset of its own: more than one batch of slots (200), a count that is no power of two
    const months = Array.from({ length: 250 }, (_, i) => month(`${1900 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`))
    const records = months.map((p, i) =>
      aMaterialization("batched_current", p, {
        inputs: i % 2 === 0 ? [] : [{ asset: key("clean_film"), partition: null, dataVersion: `v${i}`, producerId: `m-film${i}` }]
      })
    )
    for (const m of records) await run((s) => s.recordMaterialization(m))
    // every slot once, some twice, and one never made
    const slots = [...months, ...months.slice(0, 51), month("1899-12")].map((partition) => ({ asset: key("batched_current"), partition }))
    const read = await run((s) => s.currentMaterializationsOf(slots))
    expect([...read].sort((a, b) => a.id.localeCompare(b.id))).toEqual([...records].sort((a, b) => a.id.localeCompare(b.id)))
    expect(await run((s) => s.currentMaterializationsOf([]))).toEqual([])
    // recorded, not yet published: the next run publishes them again; marked, they are not
    const unpublished = await run((s) => s.unpublished)
    expect(unpublished.filter((m) => m.asset === "batched_current").length).toBe(250)
    expect(unpublished.find((m) => m.id === records[1]!.id)).toEqual(records[1])
    await run((s) => s.markPublished(records))
    expect((await run((s) => s.unpublished)).filter((m) => m.asset === "batched_current")).toEqual([])
  })

  it.skipIf(backend.skip)("stores check results in one write, keeps each check's latest per partition, pages them per materialization and counts versions", async () => {
    const checks = <A, E>(f: (c: CheckStore["Type"]) => Effect.Effect<A, E>) => runtime.runPromise(Effect.flatMap(CheckStore, f))
    const asset = key(`checked_${Math.random().toString(36).slice(2, 8)}`)
    const aResult = (partition: string | null, check: string, materializationId: string, over: Partial<CheckResult> = {}): CheckResult => ({
      id: newId("k"),
      asset,
      partition: partition === null ? null : month(partition),
      check,
      checkVersion: "v1",
      severity: "error",
      blocking: true,
      status: "PASSED",
      materializationId,
      runId: "r-contract",
      failingRows: 0,
      sample: [],
      message: "no failing rows",
      metadata: {},
      at: new Date().toISOString(),
      durationMs: 3,
      ...over
    })
    const [m1, m2, m3] = [newId("m"), newId("m"), newId("m")]
    await checks((c) => c.record([aResult("2023-01", "not_null_id", m1), aResult("2023-01", "unique_id", m1), aResult("2023-02", "not_null_id", m2)]))
    // March's output is blocked by one check and warned by another; the sample and metadata come back as stored
    await checks((c) =>
      c.record([
        aResult("2023-03", "not_null_id", m3, { status: "FAILED", failingRows: 2, sample: [{ id: null, note: "ünïcode ✓" }], message: "2 failing rows" }),
        aResult("2023-03", "rows_vs_last", m3, { severity: "warn", blocking: false, status: "WARNED", failingRows: null, metadata: { ratio: 0.4 } })
      ])
    )
    await checks((c) => c.record([]))
    expect((await checks((c) => c.latest([asset]))).length).toBe(5)
    const failing = await checks((c) => c.latest([asset], { failing: true }))
    expect(failing.map((r) => `${r.partition} ${r.check} ${r.status}`).sort()).toEqual(["2023-03 not_null_id FAILED", "2023-03 rows_vs_last WARNED"])
    expect(failing.find((r) => r.status === "FAILED")).toMatchObject({ failingRows: 2, sample: [{ id: null, note: "ünïcode ✓" }], blocking: true, runId: "r-contract" })
    expect(failing.find((r) => r.status === "WARNED")).toMatchObject({ failingRows: null, metadata: { ratio: 0.4 }, blocking: false, severity: "warn" })

    // a later result of the same check replaces the latest, not the history; a new version is counted apart
    await checks((c) => c.record([aResult("2023-03", "not_null_id", m3, { runId: null, checkVersion: "v2" })]))
    expect((await checks((c) => c.latest([asset], { partition: month("2023-03") }))).map((r) => `${r.check} ${r.status} ${r.checkVersion}`).sort()).toEqual([
      "not_null_id PASSED v2",
      "rows_vs_last WARNED v1"
    ])
    expect((await checks((c) => c.versions([asset]))).map((v) => `${v.check} ${v.checkVersion} ${v.partitions}`).sort()).toEqual([
      "not_null_id v1 2",
      "not_null_id v2 1",
      "rows_vs_last v1 1",
      "unique_id v1 1"
    ])

    // history: newest materialization first, each with all its results, a cursor for the next page
    const page1 = await checks((c) => c.history({ asset, limit: 2 }))
    expect([...new Set(page1.map((r) => r.materializationId))]).toEqual([m3, m2])
    expect(page1.filter((r) => r.materializationId === m3)).toHaveLength(3)
    const page2 = await checks((c) => c.history({ asset, limit: 2, before: m2 }))
    expect(page2.map((r) => r.materializationId)).toEqual([m1, m1])
    expect((await checks((c) => c.history({ asset, partition: month("2023-02"), limit: 10 }))).map((r) => r.materializationId)).toEqual([m2])
    expect(await checks((c) => c.latest([key("nothing_here")]))).toEqual([])
  })

  it.skipIf(backend.skip)("keeps dynamic partitions' keys in the order added, adds each once, removes and says what it did", async () => {
    expect((await run((s) => s.dynamicPartitions)).get("partners")).toBeUndefined()
    expect(await run((s) => s.addDynamicPartitions("partners", ["acme", "globex", "acme"]))).toEqual(["acme", "globex"])
    expect(await run((s) => s.addDynamicPartitions("partners", ["globex", "initech"]))).toEqual(["initech"])
    await run((s) => s.addDynamicPartitions("regions", ["europe"]))
    const all = await run((s) => s.dynamicPartitions)
    expect(all.get("partners")).toEqual(["acme", "globex", "initech"])
    expect(all.get("regions")).toEqual(["europe"])
    expect(await run((s) => s.removeDynamicPartitions("partners", ["globex", "nobody"]))).toEqual(["globex"])
    expect((await run((s) => s.dynamicPartitions)).get("partners")).toEqual(["acme", "initech"])
    // keys longer than a month: a multi-partition key is stored and read back whole
    const long = aMaterialization("hourly_sales", "2024-01-31-23:00|europe-west")
    await run((s) => s.recordMaterialization(long))
    expect((await run((s) => s.currentMaterializations([key("hourly_sales")])))[0]!.partition).toBe("2024-01-31-23:00|europe-west")
  })
})
