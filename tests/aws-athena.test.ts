import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect, Exit, Fiber, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sakilaAssets } from "../assets/index.js"
import { outputPath, type AssetDef, type InputFiles, type SqlContext } from "../runtime/asset/Asset.js"
import { Engine } from "../runtime/engine/Engine.js"
import { buildGraph } from "../runtime/graph/AssetGraph.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import type { AthenaConfig } from "../resources/athena/AthenaQueries.js"
import * as ScaleOut from "../resources/athena/scaleOut.js"
import { testAthenaConfig } from "./support/athenaConfig.js"
import { startFakeAthena, type FakeAthena } from "./support/fakeAthena.js"
import { startS3, type S3Fixture } from "./support/s3rver.js"

const athenaConfig = (athena: FakeAthena, s3: S3Fixture, extra: Partial<AthenaConfig> = {}): AthenaConfig => testAthenaConfig(athena.endpoint, s3.bucket, extra)

const runtimeFor = (s3: S3Fixture, config: AthenaConfig) =>
  ManagedRuntime.make(
    ScaleOut.layer({ assets: sakilaAssets, lake: { bucket: s3.bucket, prefix: "lake", endpoint: s3.endpoint, region: "us-east-1" }, athena: config })
  )

const failureOf = (exit: Exit.Exit<unknown, unknown>) => (Exit.isFailure(exit) ? JSON.stringify(exit.cause) : "succeeded")

describe("the Athena engine against an Athena-protocol endpoint", () => {
  let s3: S3Fixture
  let athena: FakeAthena

  beforeAll(async () => {
    s3 = await startS3()
    athena = await startFakeAthena({ s3: s3.client, workgroups: { primary: {}, capped: { bytesScannedCutoff: 10 } }, runningMs: 60 })
  })
  afterAll(async () => {
    await athena?.close()
    await s3?.close()
  })

  it("a failing query reaches the user with Athena's reason and the query id", async () => {
    const rt = runtimeFor(s3, athenaConfig(athena, s3))
    const exit = await rt.runPromiseExit(Effect.flatMap(Engine, (e) => e.query("SELECT no_such_column FROM (SELECT 1 AS a)")))
    await rt.dispose()
    const text = failureOf(exit)
    const failed = [...athena.queries.values()].find((q) => q.state === "FAILED")!
    expect(failed.reason).toMatch(/no_such_column/)
    expect(text).toContain(`Athena query ${failed.id} FAILED`)
    expect(text).toContain("no_such_column")
  })

  it("stops a query that scans past the cutoff, and names the cutoff and the query", async () => {
    await s3.client.send(
      new (await import("@aws-sdk/client-s3")).PutObjectCommand({ Bucket: s3.bucket, Key: "lake/landing/streaming/2023/01/a.jsonl", Body: '{"a":1}\n'.repeat(2000) })
    )
    const rt = runtimeFor(s3, athenaConfig(athena, s3, { bytesScannedCutoff: 1000 }))
    const exit = await rt.runPromiseExit(
      Effect.flatMap(Engine, (e) => e.query(`SELECT count(*) AS n FROM "sakila"."streaming_landing" WHERE ("year" = '2023' AND "month" = '01')`))
    )
    await rt.dispose()
    const text = failureOf(exit)
    expect(text).toMatch(/Athena query [0-9a-f-]+ stopped: it scanned 16000 bytes, over the cutoff of 1000/)
    const id = /Athena query ([0-9a-f-]+) stopped/.exec(text)![1]!
    expect(athena.queries.get(id)!.state).toBe("CANCELLED")
    expect(athena.calls.some((c) => c.action === "StopQueryExecution")).toBe(true)
  })

  it("an interrupted query (a signal, a cancel) is stopped on Athena, not left to scan on", async () => {
    const slow = await startFakeAthena({ s3: s3.client, runningMs: 5000 })
    const rt = runtimeFor(s3, athenaConfig(slow, s3))
    try {
      const fiber = rt.runFork(Effect.flatMap(Engine, (e) => e.query("SELECT 1 AS a")))
      for (const t0 = Date.now(); ![...slow.queries.values()].some((q) => q.state === "RUNNING") && Date.now() - t0 < 10_000; ) await new Promise((r) => setTimeout(r, 10))
      await Effect.runPromise(Fiber.interrupt(fiber))
      const [q] = [...slow.queries.values()]
      expect(q!.state).toBe("CANCELLED")
    } finally {
      await rt.dispose()
      await slow.close()
    }
  })

  it("a workgroup's own cutoff surfaces as Athena's reason", async () => {
    const rt = runtimeFor(s3, athenaConfig(athena, s3, { workgroup: "capped" }))
    const exit = await rt.runPromiseExit(
      Effect.flatMap(Engine, (e) => e.query(`SELECT count(*) AS n FROM "sakila"."streaming_landing" WHERE ("year" = '2023' AND "month" = '01')`))
    )
    await rt.dispose()
    expect(failureOf(exit)).toMatch(/Athena query [0-9a-f-]+ CANCELLED: Query cancelled! : Bytes scanned limit was exceeded/)
  })

  it("retries throttling answers with backoff, past the SDK's own attempts", async () => {
    const rt = runtimeFor(s3, athenaConfig(athena, s3, { sdkMaxAttempts: 1 }))
    athena.throttle("StartQueryExecution", 3, "TooManyRequestsException")
    athena.throttle("GetQueryExecution", 2, "ThrottlingException")
    const before = athena.calls.length
    const rows = await rt.runPromise(Effect.flatMap(Engine, (e) => e.query("SELECT 41 + 1 AS answer")))
    await rt.dispose()
    expect(rows).toEqual([{ answer: 42 }])
    const calls = athena.calls.slice(before)
    expect(calls.filter((c) => c.status === 400).length).toBe(5)
    expect(calls.filter((c) => c.action === "StartQueryExecution").map((c) => c.status)).toEqual([400, 400, 400, 200])
  })

  it("reads results page by page (NextToken)", async () => {
    const rt = runtimeFor(s3, athenaConfig(athena, s3))
    const rows = await rt.runPromise(Effect.flatMap(Engine, (e) => e.query("SELECT i FROM range(2500) t(i) ORDER BY i")))
    await rt.dispose()
    expect(rows.length).toBe(2500)
    expect(rows[2499]).toEqual({ i: 2499 })
    expect(athena.calls.filter((c) => c.action === "GetQueryResults").length).toBeGreaterThanOrEqual(3)
  })
})

describe("the SQL sent to Athena", () => {
  it("translates a list of JSON paths into a list of extractions, a list's length into cardinality, and keeps a list argument whole", async () => {
    const { toAthena } = await import("../resources/athena/dialect.js")
    expect(toAthena(`SELECT json_extract_string(line, ARRAY['$.a', '$.b,c', 'it''s']) AS f FROM t`)).toBe(
      `SELECT ARRAY[json_extract_scalar(line, '$.a'), json_extract_scalar(line, '$.b,c'), json_extract_scalar(line, 'it''s')] AS f FROM t`
    )
    // a list literal of DuckDB's own spelling, and paths that are not literals, each kept
    expect(toAthena(`SELECT json_extract_string(line, ['$.a', p.path, concat('$.', k)]) FROM t`)).toBe(
      `SELECT ARRAY[json_extract_scalar(line, '$.a'), json_extract_scalar(line, p.path), json_extract_scalar(line, concat('$.', k))] FROM t`
    )
    expect(toAthena(`SELECT json_extract_string(line, '$.a') FROM t`)).toBe(`SELECT json_extract_scalar(line, '$.a') FROM t`)
    expect(toAthena(`SELECT array_length(array_distinct(keys)) < array_length(keys) FROM t`)).toBe(`SELECT cardinality(array_distinct(keys)) < cardinality(keys) FROM t`)
    // the list's commas are not the call's: one argument, not three
    expect(toAthena(`SELECT strftime(ARRAY[a, b][1], '%Y') FROM t`)).toBe(`SELECT date_format(ARRAY[a, b][1], '%Y') FROM t`)
  })

  it("matches the golden files (UPDATE_GOLDEN=1 rewrites them)", async () => {
    const graph = buildGraph(sakilaAssets)
    const dir = join(import.meta.dirname, "golden", "athena")
    mkdirSync(dir, { recursive: true })
    const s3Dummy = { bucket: "lake-bucket", endpoint: "http://127.0.0.1:1", client: undefined as never, close: async () => {} }
    const rt = ManagedRuntime.make(
      ScaleOut.layer({
        assets: sakilaAssets,
        lake: { bucket: "lake-bucket", prefix: "lake", region: "us-east-1", endpoint: s3Dummy.endpoint },
        athena: { ...athenaConfig({ endpoint: "http://127.0.0.1:1" } as FakeAthena, s3Dummy as S3Fixture), resultsLocation: "s3://lake-bucket-results/" }
      }).pipe(Layer.orDie)
    )
    const { toAthena } = await import("../resources/athena/dialect.js")
    const engine = await rt.runPromise(Engine)
    const partition = "2023-03" as PartitionKey
    for (const key of graph.order) {
      const asset = graph.get(key)
      if (asset._tag !== "Asset" || asset.compute._tag !== "Sql") continue
      const inputs: Record<string, string> = {}
      for (const edge of graph.inputs(key)) {
        const up = graph.get(edge.upstream)
        const files: InputFiles =
          up._tag === "Asset"
            ? { format: up.format, columns: up.columns, paths: [outputPath(up, up.partitions ? partition : undefined)] }
            : { format: up.format, columns: undefined, paths: [`${up.prefix!(partition)}part-0001.jsonl`, `${up.prefix!("2023-04" as PartitionKey)}part-0001.jsonl`] }
        inputs[edge.name] = engine.relation(files)
      }
      const ctx: SqlContext = { inputs, partition: asset.partitions ? partition : undefined, window: undefined }
      const texts: Array<[string, string]> = [[key, toAthena(asset.compute.sql(ctx))]]
      for (const [name, side] of Object.entries((asset as AssetDef<any, any>).sideOutputs)) texts.push([`${key}_${name}`, toAthena(side.sql(ctx))])
      for (const [name, sql] of texts) {
        const file = join(dir, `${name}.sql`)
        if (process.env["UPDATE_GOLDEN"] === "1" || !existsSync(file)) writeFileSync(file, `${sql.trim()}\n`)
        expect(`${sql.trim()}\n`).toBe(readFileSync(file, "utf8"))
      }
    }
    await rt.dispose()
  })
})
