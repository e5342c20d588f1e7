import { spawn } from "node:child_process"
import { join, resolve } from "node:path"
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3"
import { Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { EventStore } from "../runtime/events/EventStore.js"
import type { Materialization } from "../runtime/events/records.js"
import { outputsOf } from "../runtime/execute/outputs.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import { startFakeAthena, type FakeAthena } from "./support/fakeAthena.js"
import { startS3, testCredentials, type S3Fixture } from "./support/s3rver.js"
import { tempDir } from "./support/testProject.js"

const bin = resolve("bin/assets.js")

/**
 * The record as the commit point on the S3 lake: a child process runs the synthetic chain with the lake on the
 * test's S3-protocol server and Athena as the engine, and kills itself at each window of a commit. The stable
 * path's manifest must then name the version its current record names (or, between the record and publishing, an
 * earlier record's), and every record's version must hold objects.
 */
describe("the record always matches the data on the S3 lake", () => {
  let s3: S3Fixture
  let athena: FakeAthena

  beforeAll(async () => {
    testCredentials()
    s3 = await startS3()
    athena = await startFakeAthena({ s3: s3.client })
  })
  afterAll(async () => {
    await athena?.close()
    await s3?.close()
  })

  const landTicks = (month: string, lines: ReadonlyArray<string>) =>
    s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `lake/landing/ticks/${month.slice(0, 4)}/${month.slice(5, 7)}/t.jsonl`, Body: lines.join("\n") + "\n" }))

  // the S3 server and the Athena endpoint live in this process: a child is awaited, never run synchronously
  const cli = (dir: string, args: ReadonlyArray<string>, extra: Record<string, string> = {}) =>
    new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, [bin, ...args], {
        env: {
          ...process.env,
          ASSETS_CONFIG: resolve("tests/fixtures/s3.config.ts"),
          SYNTH_DIR: dir,
          S3_ENDPOINT: s3.endpoint,
          S3_BUCKET: s3.bucket,
          ATHENA_ENDPOINT: athena.endpoint,
          ...extra
        },
        stdio: "pipe"
      })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
      child.once("exit", (status, signal) => done({ status, signal, stdout, stderr }))
    })

  /** What the stable path's manifest names, or undefined when nothing is published there. */
  const manifestAt = async (path: string): Promise<string | undefined> => {
    try {
      const got = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `lake/${path}` }))
      return (JSON.parse(await got.Body!.transformToString()) as { location: string }).location
    } catch {
      return undefined
    }
  }
  const objectsUnder = async (location: string) =>
    ((await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `lake/${location}` }))).Contents ?? []).length

  const agreement = async (dir: string) => {
    const runtime = ManagedRuntime.make(SqliteEventStore.layer(join(dir, "state", "events.sqlite")).pipe(Layer.orDie))
    try {
      const { current, unpublished, all } = await runtime.runPromise(
        Effect.gen(function* () {
          const store = yield* EventStore
          const current = yield* store.currentMaterializations()
          const all: Array<Materialization> = []
          for (const a of ["step1", "step2"]) all.push(...(yield* store.materializations({ asset: a as never, limit: 1000 })))
          return { current, unpublished: new Set((yield* store.unpublished).map((m) => m.id)), all }
        })
      )
      const problems: Array<string> = []
      for (const m of current) {
        const [main] = outputsOf(m)
        if ((await objectsUnder(main!.location)) === 0) problems.push(`${m.asset}[${m.partition}]: its version ${main!.location} holds nothing`)
        const shown = await manifestAt(main!.path)
        if (!unpublished.has(m.id) && shown !== main!.location) problems.push(`${m.asset}[${m.partition}]: ${main!.path} shows ${shown}, its record ${main!.location}`)
        if (unpublished.has(m.id) && shown !== undefined && !all.some((e) => e.asset === m.asset && e.partition === m.partition && outputsOf(e)[0]!.location === shown)) {
          problems.push(`${m.asset}[${m.partition}]: ${main!.path} shows ${shown}, which no record names`)
        }
      }
      const unmarked = current.filter((m) => unpublished.has(m.id)).map((m) => m.asset as string)
      return { checked: current.length, unpublished: unpublished.size, unmarked, problems }
    } finally {
      await runtime.dispose()
    }
  }

  for (const point of ["after-persist", "after-record", "after-publish"] as const) {
    it(`a SIGKILL ${point.replace("-", " ")} leaves the manifests naming what the records name; the next run publishes and completes`, async () => {
      const dir = tempDir("assets-s3-crash-")
      const month = point === "after-persist" ? "2023-01" : point === "after-record" ? "2023-02" : "2023-03"
      await landTicks(month, ["a", "bb"])
      const first = await cli(dir, ["materialize", "step2", "--partition", month])
      expect(first.status, first.stdout + first.stderr.slice(-3000)).toBe(0)
      await landTicks(month, ["a", "bb", "ccc"])
      // the second commit of the run (step2's) is where it dies
      expect((await cli(dir, ["materialize", "step2", "--partition", month], { ASSETS_CRASH_POINT: `${point}:2` })).signal).toBe("SIGKILL")

      const after = await agreement(dir)
      expect(after.problems).toEqual([])
      expect(after.checked).toBe(2)
      // a run marks what it published with its periodic flush (runWrites.ts): step1's record may still be unmarked,
      // and step2's is unless the kill came before its record
      expect(after.unpublished - (after.unmarked.includes("step1") ? 1 : 0)).toBe(point === "after-persist" ? 0 : 1)

      const again = await cli(dir, ["materialize", "step2", "--partition", month, "--json"])
      expect(again.status, again.stderr).toBe(0)
      const done = await agreement(dir)
      expect(done).toMatchObject({ problems: [], unpublished: 0, unmarked: [], checked: 2 })
    })
  }
})
