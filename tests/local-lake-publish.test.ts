import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as LocalLake from "../resources/lake-fs/LocalLake.js"
import { tempDir } from "./support/testProject.js"

/**
 * Publishing on the folder lake: a stable path shows its version as the same file (a hard link), and superseded
 * versions past the retention go, except the one just replaced. A path shown for the first time is linked in one
 * call, and a version folder made for that version alone is not listed: these cases keep the pruning exact.
 */
describe("LocalLake publish", () => {
  const path = "core/thing/data.csv"
  const run = <A>(e: Effect.Effect<A, unknown>) => Effect.runSync(e)
  const version = (lake: { dir: string }, id: string, text: string) => {
    const l = LocalLake.make(lake.dir)
    const staged = l.stagingPath("r1", path)
    run(l.write(staged, new TextEncoder().encode(text)))
    return { l, v: run(l.persist(id, [{ from: staged, to: path }])) }
  }
  const same = (a: string, b: string) => statSync(a).ino === statSync(b).ino
  // a version written two hours ago: past the default retention of an hour
  const age = (file: string) => utimesSync(file, new Date(Date.now() - 2 * 3_600_000), new Date(Date.now() - 2 * 3_600_000))

  it("shows each new version at the stable path and prunes what was superseded before the last", () => {
    const dir = tempDir()
    const lake = LocalLake.make(dir)
    const write = (id: string, text: string) => {
      const staged = lake.stagingPath("r1", path)
      run(lake.write(staged, new TextEncoder().encode(text)))
      const versions = run(lake.persist(id, [{ from: staged, to: path }]))
      run(lake.publish(versions))
      age(join(dir, versions[0]!.location))
      return join(dir, versions[0]!.location)
    }
    const v1 = write("m1", "n\n1\n")
    expect(same(v1, join(dir, path))).toBe(true)
    const v2 = write("m2", "n\n2\n")
    expect(same(v2, join(dir, path))).toBe(true)
    // the replaced version stays (a run may be reading it), the one before it goes
    expect(existsSync(v1)).toBe(true)
    const v3 = write("m3", "n\n3\n")
    expect(existsSync(v1)).toBe(false)
    expect(existsSync(v2)).toBe(true)
    // the stable path removed outside the lake: the next version is shown again, and the older ones past the retention go
    rmSync(join(dir, path))
    const v4 = write("m4", "n\n4\n")
    expect(same(v4, join(dir, path))).toBe(true)
    expect([v2, v3].filter(existsSync)).toEqual([])
    // publishing again changes nothing
    run(lake.publish([{ path, location: v4.slice(dir.length + 1) }]))
    expect(same(v4, join(dir, path))).toBe(true)
  })

  it("prunes a first publish in a folder that another process (or an earlier one) left versions in", () => {
    const dir = tempDir()
    // an earlier process: a version persisted, never published (its run died before its record)
    const { v: old } = version({ dir }, "m1", "n\n1\n")
    age(join(dir, old[0]!.location))
    // this process finds the folder there: its first publish of the path lists it
    const { l, v } = version({ dir }, "m2", "n\n2\n")
    run(l.publish(v))
    expect(same(join(dir, v[0]!.location), join(dir, path))).toBe(true)
    expect(existsSync(join(dir, old[0]!.location))).toBe(false)
  })

  it("keeps versions beside the stable path, hidden from listings and from a glob of its extension", async () => {
    const dir = tempDir()
    const { l, v } = version({ dir }, "m1", "n\n1\n")
    run(l.publish(v))
    expect(v[0]!.location).toBe("core/thing/.data.csv~m1")
    expect(readdirSync(join(dir, "core/thing")).sort()).toEqual([".data.csv~m1", "data.csv"])
    expect(readdirSync(join(dir, "core/thing")).filter((n) => n.endsWith(".csv"))).toEqual(["data.csv"])
    expect((await Effect.runPromise(l.list("core/"))).map((o) => o.path)).toEqual(["core/thing/data.csv"])
  })

  it("prunes the versions a lake written before kept in a folder of their own", () => {
    const dir = tempDir()
    // the two older layouts: a folder named by the encoded path, and one per level of the path
    const olds = [join(dir, ".versions", encodeURIComponent(path), "m0.csv"), join(dir, ".versions", path, "m00.csv")]
    for (const old of olds) {
      mkdirSync(join(old, ".."), { recursive: true })
      writeFileSync(old, "n\n0\n")
      age(old)
    }
    const { l, v } = version({ dir }, "m1", "n\n1\n")
    run(l.publish(v))
    age(join(dir, v[0]!.location))
    const { v: next } = version({ dir }, "m2", "n\n2\n")
    run(l.publish(next))
    expect(olds.filter(existsSync)).toEqual([])
    // the version just replaced stays
    expect(existsSync(join(dir, v[0]!.location))).toBe(true)
  })

  it("lists what a prefix holds over nested folders, in path order, with sizes; not staging, versions or other folders", async () => {
    const dir = tempDir()
    const put = (p: string, text: string) => {
      mkdirSync(join(dir, p, ".."), { recursive: true })
      writeFileSync(join(dir, p), text)
    }
    // more files than a listing stats at once, over three levels of folders
    const expected: Array<{ path: string; size: number }> = []
    for (let m = 1; m <= 12; m++) {
      for (let f = 0; f < 30; f++) {
        const p = `landing/streaming/2023/${String(m).padStart(2, "0")}/${String(f).padStart(2, "0")}/events-${f}.jsonl`
        put(p, "x".repeat(f + m))
        expected.push({ path: p, size: f + m })
      }
    }
    put("landing/other/2023/01/a.jsonl", "a")
    put("landing/streaming.txt", "beside, not under the prefix")
    const { l, v } = version({ dir }, "m1", "n\n1\n")
    run(l.publish(v))
    const listed = await Effect.runPromise(LocalLake.make(dir).list("landing/streaming/"))
    expected.sort((a, b) => (a.path < b.path ? -1 : 1))
    expect(listed.map((o) => ({ path: o.path, size: o.size }))).toEqual(expected)
    expect(listed.every((o) => o.tag === `${o.size}-${Math.floor(statSync(join(dir, o.path)).mtimeMs)}`)).toBe(true)
    // a prefix ending inside a name; the stable path, not its version or its staging
    expect((await Effect.runPromise(l.list("landing/streaming/2023/1"))).length).toBe(90)
    expect((await Effect.runPromise(l.list(""))).map((o) => o.path).filter((p) => !p.startsWith("landing/"))).toEqual([path])
  })
})
