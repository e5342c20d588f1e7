import { Effect, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sakilaAssets } from "../../assets/index.js"
import { streamingChecked, streamingPartitions } from "../../assets/streaming.js"
import { Engine } from "../../runtime/engine/Engine.js"
import { Lake } from "../../runtime/lake/Lake.js"
import type { PartitionKey } from "../../runtime/partitions/PartitionKey.js"
import * as ScaleOut from "../../resources/athena/scaleOut.js"
import { testAthenaConfig } from "../support/athenaConfig.js"
import { startFakeAthena, type FakeAthena } from "../support/fakeAthena.js"
import { startS3, type S3Fixture } from "../support/s3rver.js"

/**
 * Athena cannot see where a line sits in its file, so the rejected lines' numbers come from the order of the lines'
 * text (AthenaEngine's jsonl relation). Run twenty times over files with repeated and shuffled lines, the rejects
 * must come back with the same numbers each time, and those numbers must be the lines' ranks in that order.
 */

const good = (i: number) =>
  `{"timestamp":"2023-02-${String(1 + (i % 27)).padStart(2, "0")}T10:00:00+01:00","eventType":"rent","film_id":${1 + (i % 1000)},"distributor":"Acme","platform":"web","state":"CA"}`
/** rejected for a missing timestamp; every tenth one repeats an earlier line exactly */
const bad = (i: number) => `{"bad":${i % 10 === 0 ? 0 : i}}`

/** a deterministic shuffle, so the file order is neither the text order nor its reverse */
const shuffled = (lines: ReadonlyArray<string>, seed: number) => {
  const out = [...lines]
  let s = seed
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31
    const j = s % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

const files: Record<string, ReadonlyArray<string>> = {
  "landing/streaming/2023/02/a.jsonl": shuffled([...Array.from({ length: 400 }, (_, i) => good(i)), ...Array.from({ length: 150 }, (_, i) => bad(i)), "not json", "not json"], 1),
  "landing/streaming/2023/02/b.jsonl": shuffled([...Array.from({ length: 300 }, (_, i) => good(i + 7)), ...Array.from({ length: 90 }, (_, i) => bad(i + 3))], 2)
}

/** The lines as streaming_checked checks them: what the side outputs of streaming_partitions read. */
const checkedOf = (landing: string) => {
  const check = streamingChecked.compute
  if (check._tag !== "Sql") throw new Error("streaming_checked is SQL")
  return `(${check.sql({ inputs: { landing }, partition: "2023-02" as PartitionKey, window: undefined })}) AS c`
}

/** UTF-8 byte order, which is how Trino orders varchar (the test lines are ASCII, where it is code unit order) */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

describe("line numbers of rejected lines on Athena", () => {
  let s3: S3Fixture
  let athena: FakeAthena
  let rt: ManagedRuntime.ManagedRuntime<Engine | Lake, unknown>

  beforeAll(async () => {
    s3 = await startS3()
    athena = await startFakeAthena({ s3: s3.client, runningMs: 0 })
    rt = ManagedRuntime.make(
      ScaleOut.layer({
        assets: sakilaAssets,
        lake: { bucket: s3.bucket, prefix: "lake", endpoint: s3.endpoint, region: "us-east-1" },
        athena: testAthenaConfig(athena.endpoint, s3.bucket)
      })
    )
    const encoder = new TextEncoder()
    await rt.runPromise(
      Effect.flatMap(Lake, (lake) => Effect.forEach(Object.entries(files), ([path, lines]) => lake.write(path, encoder.encode(lines.join("\n") + "\n")), { discard: true }))
    )
  })
  afterAll(async () => {
    await rt?.dispose()
    await athena?.close()
    await s3?.close()
  })

  it("numbers the same lines the same way on each of 20 runs, by the order of their text", async () => {
    const rejected = streamingPartitions.sideOutputs["rejected"]!
    const runs = await rt.runPromise(
      Effect.flatMap(Engine, (engine) => {
        const landing = engine.relation({ format: "jsonl", paths: Object.keys(files), columns: undefined })
        const sql = `SELECT source_file, line_number, line FROM (${rejected.sql({ inputs: { checked: checkedOf(landing) }, partition: "2023-02" as PartitionKey, window: undefined })}) AS r ORDER BY 1, 2`
        return Effect.forEach(Array.from({ length: 20 }), () => engine.query(sql))
      })
    )
    const expected = Object.entries(files).flatMap(([path, lines]) =>
      [...lines]
        .sort(byText)
        .map((line, i) => ({ source_file: path, line_number: i + 1, line }))
        .filter((r) => !r.line.startsWith('{"timestamp"'))
    )
    expect(expected.length).toBe(242)
    for (const rows of runs) expect(rows.map((r) => ({ ...r, line_number: Number(r["line_number"]) }))).toEqual(expected)
  })

  it("accounts for the month's lines with the translated SQL too", async () => {
    const accounting = streamingPartitions.sideOutputs["accounting"]!
    const [row] = await rt.runPromise(
      Effect.flatMap(Engine, (engine) => {
        const landing = engine.relation({ format: "jsonl", paths: Object.keys(files), columns: undefined })
        return engine.query(accounting.sql({ inputs: { checked: checkedOf(landing) }, partition: "2023-02" as PartitionKey, window: undefined }))
      })
    )
    expect(row).toEqual({ landing_month: "2023-02", files: 2, lines: 942, accepted_late: 0, accepted: 700, rejected: 242 })
  })
})
