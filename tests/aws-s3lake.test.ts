import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3"
import { Chunk, Effect, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Lake } from "../runtime/lake/Lake.js"
import * as S3Lake from "../resources/s3/S3Lake.js"
import { startS3, type S3Fixture } from "./support/s3rver.js"

const encoder = new TextEncoder()
const bytes = (s: string | Uint8Array) => Stream.make(typeof s === "string" ? encoder.encode(s) : s)
// persist as a version of its own, then publish it: what a materialization does around its record
let versionSeq = 0
const commitOn = (lake: Lake["Type"]) => (moves: ReadonlyArray<{ readonly from: string; readonly to: string }>) =>
  Effect.flatMap(lake.persist(`v${String(++versionSeq).padStart(6, "0")}`, moves), lake.publish)
const readAll = (lake: Lake["Type"], path: string) =>
  Effect.runPromise(Stream.runCollect(lake.read(path))).then((c) => Buffer.concat(Chunk.toReadonlyArray(c)))

describe("the S3 lake over a real S3-protocol server", () => {
  let s3: S3Fixture
  let lake: Lake["Type"]
  const committed: Array<S3Lake.Committed> = []
  const parts: Array<number> = []
  let onDelete: (() => void) | undefined

  beforeAll(async () => {
    s3 = await startS3()
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED"
    })
    client.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === "UploadPartCommand") parts.push((args.input as { PartNumber: number }).PartNumber)
        if (context.commandName === "DeleteObjectsCommand") onDelete?.()
        return next(args)
      },
      { step: "initialize", name: "countParts" }
    )
    lake = S3Lake.make({
      client,
      bucket: s3.bucket,
      prefix: "lake",
      endpoint: s3.endpoint,
      region: "us-east-1",
      retention: 0,
      partSize: 5 * 1024 * 1024,
      onCommit: (c) => Effect.sync(() => committed.push(...c))
    })
  })
  afterAll(() => s3.close())

  it("writes, lists with paging past 1000 keys, and reads back", async () => {
    await Effect.runPromise(
      // bodies in one piece and as streams, alternately
      Effect.forEach(
        Array.from({ length: 1005 }, (_, i) => i),
        (i) => lake.write(`landing/many/f${String(i).padStart(4, "0")}.txt`, i % 2 === 0 ? encoder.encode(`${i}\n`) : bytes(`${i}\n`)),
        { concurrency: 16 }
      )
    )
    const listed = await Effect.runPromise(lake.list("landing/many/"))
    expect(listed.length).toBe(1005)
    expect(listed[1004]!.path).toBe("landing/many/f1004.txt")
    expect((await readAll(lake, "landing/many/f0042.txt")).toString()).toBe("42\n")
    expect((await readAll(lake, "landing/many/f0043.txt")).toString()).toBe("43\n")
    expect(await Effect.runPromise(lake.exists("landing/many/f0001.txt"))).toBe(true)
    expect(await Effect.runPromise(lake.exists("landing/many/nope.txt"))).toBe(false)
  })

  it("uploads a large file in parts (multipart upload) and reads it back intact", async () => {
    const big = new Uint8Array(12 * 1024 * 1024).map((_, i) => (i * 31) % 251)
    const before = parts.length
    await Effect.runPromise(lake.write("landing/big.bin", Stream.fromIterable([big.subarray(0, 7_000_000), big.subarray(7_000_000)])))
    expect(parts.length - before).toBe(3)
    const [o] = await Effect.runPromise(lake.list("landing/big.bin"))
    expect(o!.size).toBe(big.length)
    expect(Buffer.compare(await readAll(lake, "landing/big.bin"), Buffer.from(big))).toBe(0)
  })

  it("commits through a fresh version prefix and a manifest switch; readers see one version or the other", async () => {
    const target = "curated/t/year=2023/month=03/data.parquet"
    await Effect.runPromise(lake.write(lake.stagingPath("run1", target), bytes("first")))
    await Effect.runPromise(commitOn(lake)([{ from: lake.stagingPath("run1", target), to: target }]))
    expect((await readAll(lake, target)).toString()).toBe("first")
    const firstLocation = committed.at(-1)!.location
    expect(firstLocation).toMatch(/^s3:\/\/sakila-lake\/lake\/curated\/t\/year=2023\/month=03\/data\.versions\/v[0-9a-z]+\/$/)

    // an engine's output: a folder of parts
    const staged2 = lake.stagingPath("run2", target)
    await Effect.runPromise(lake.write(`${staged2}/part-0`, bytes("sec")))
    await Effect.runPromise(lake.write(`${staged2}/part-1`, bytes("ond")))
    expect((await readAll(lake, target)).toString()).toBe("first")
    await Effect.runPromise(commitOn(lake)([{ from: staged2, to: target }]))
    expect((await readAll(lake, target)).toString()).toBe("second")
    expect(committed.at(-1)!.location).not.toBe(firstLocation)
    // staging and versions never show in listings
    expect((await Effect.runPromise(lake.list("curated/"))).map((o) => o.path)).toEqual([target])
    expect((await Effect.runPromise(lake.list(".staging/"))).length).toBe(0)

    // superseded versions go once past the retention (0 here); the current one stays
    const removed = await Effect.runPromise(lake.cleanStaging(new Set()))
    expect(removed).toBe(1)
    const keys = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: "lake/curated/t/" }))
    expect((keys.Contents ?? []).map((o) => o.Key).sort()).toEqual([
      "lake/curated/t/year=2023/month=03/data.parquet",
      `${committed.at(-1)!.location.replace("s3://sakila-lake/", "")}part-0`,
      `${committed.at(-1)!.location.replace("s3://sakila-lake/", "")}part-1`
    ])
  })

  it("a crash between writing and committing leaves nothing visible, and the next run's cleanup removes it", async () => {
    const target = "curated/u/data.parquet"
    await Effect.runPromise(lake.write(lake.stagingPath("crashed", target), bytes("half")))
    await Effect.runPromise(lake.write(lake.stagingPath("alive", target), bytes("running")))
    expect(await Effect.runPromise(lake.exists(target))).toBe(false)
    expect((await Effect.runPromise(lake.list("curated/u/"))).length).toBe(0)
    expect(await Effect.runPromise(lake.cleanStaging(new Set(["alive"])))).toBe(1)
    const left = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: "lake/.staging/" }))
    expect((left.Contents ?? []).map((o) => o.Key)).toEqual(["lake/.staging/alive/curated/u/data.parquet"])
  })

  it("commits partitions side by side: removing one's staging never takes a sibling's just-staged files", async () => {
    // a CI run lost a month's staged output this way: the test server pruned the folders a commit had emptied
    // while the next month was being staged into them. Each round stages February as January's staging is removed.
    const staged = (round: number, month: string) => lake.stagingPath(`side${round}`, `curated/side/year=2023/month=${month}/data.parquet`)
    const target = (month: string) => `curated/side/year=2023/month=${month}/data.parquet`
    const failures: Array<string> = []
    for (let round = 0; round < 150; round++) {
      await Effect.runPromise(lake.write(staged(round, "01"), bytes("january")))
      let february: Promise<void> = Promise.resolve()
      onDelete = () => {
        onDelete = undefined
        february = new Promise((r) => setTimeout(r, (round % 8) / 2)).then(() =>
          Effect.runPromise(lake.write(staged(round, "02"), bytes("february")).pipe(Effect.zipRight(commitOn(lake)([{ from: staged(round, "02"), to: target("02") }]))))
        )
      }
      const january = Effect.runPromise(commitOn(lake)([{ from: staged(round, "01"), to: target("01") }]))
      for (const r of await Promise.allSettled([january, january.then(() => february)])) if (r.status === "rejected") failures.push(`round ${round}: ${String(r.reason)}`)
    }
    onDelete = undefined
    expect(failures).toEqual([])
    expect((await readAll(lake, target("02"))).toString()).toBe("february")
  })

  it("fails a commit of nothing with the staged path named", async () => {
    const exit = await Effect.runPromiseExit(commitOn(lake)([{ from: ".staging/none/x.parquet", to: "x.parquet" }]))
    expect(exit._tag).toBe("Failure")
    expect(JSON.stringify(exit)).toContain("nothing is staged at .staging/none/x.parquet")
  })
})
