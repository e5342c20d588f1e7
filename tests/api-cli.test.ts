import { spawn } from "node:child_process"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { apiFixture, type ApiFixture } from "./api-fixture.js"

let f: ApiFixture
beforeAll(async () => {
  f = await apiFixture()
})
afterAll(async () => {
  await f?.dispose()
})

const root = join(import.meta.dirname, "..")
const env = () => ({
  ...process.env,
  ASSETS_LAKE: join(f.dir, "lake"),
  ASSETS_STATE_DIR: join(f.dir, "state"),
  ASSETS_STREAM_FROM: "2023-01",
  ASSETS_STREAM_TO: "2023-03",
  ASSETS_STREAM_EVENTS_PER_MONTH: "2000"
})

const cli = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const p = spawn(join(root, "bin", "assets.js"), args, { cwd: root, env: env() })
    let out = ""
    let err = ""
    p.stdout.on("data", (d) => (out += d))
    p.stderr.on("data", (d) => (err += d))
    p.on("exit", (code) => resolve({ code, out, err }))
  })

describe("assets preview and assets serve", () => {
  it("assets preview prints the first rows of an asset partition, as a table or JSON", async () => {
    const table = await cli(["preview", "streaming_films", "--partition", "2023-03", "--limit", "3"])
    expect(table.code, table.err).toBe(0)
    const lines = table.out.trim().split("\n")
    expect(lines[0]).toContain("streaming_films[2023-03]")
    expect(lines.find((l) => l.startsWith("event_time"))).toContain("film_id")
    expect(lines.filter((l) => /^2023-03-\d\dT/.test(l)).length).toBe(3)
    const json = await cli(["preview", "clean_film", "--limit", "2", "--json"])
    const body = JSON.parse(json.out) as { rows: Array<Record<string, unknown>>; current: boolean }
    expect(body.rows.length).toBe(2)
    expect(body.current).toBe(true)
    expect(typeof body.rows[0]!["film_id"]).toBe("number")
    const bad = await cli(["preview", "streaming_films", "--partition", "2023-13"])
    expect(bad.code).toBe(2)
    expect(bad.err).toContain("YYYY-MM")
  })

  it("bad arguments are a usage error (exit 2) that says what is wrong, and nothing runs", async () => {
    const cases: Array<[ReadonlyArray<string>, string]> = [
      [["materialize", "category_report", "--concurrency", "abc"], "is not a integer"],
      [["materialize", "category_report", "--concurrency", "0"], "--concurrency must be at least 1"],
      [["backfill", "streaming_films", "--from", "2023-01", "--to", "2023-02", "--concurrency", "0"], "--concurrency must be at least 1"],
      [["worker", "--until-idle", "--concurrency", "-1"], "--concurrency must be at least 1"],
      [["backfill", "resume", "bf-nope"], "no backfill bf-nope"],
      [["backfill", "cancel", "bf-nope"], "no backfill bf-nope"],
      [["backfill", "status", "bf-nope"], "no backfill bf-nope"]
    ]
    const results = await Promise.all(cases.map(([args]) => cli(args)))
    results.forEach((r, i) => {
      expect(r.code, `${cases[i]![0].join(" ")}\n${r.out}${r.err}`).toBe(2)
      expect(r.out + r.err).toContain(cases[i]![1])
      expect(r.out + r.err).not.toContain("[object Object]")
    })
    const list = await cli(["backfill", "list", "--json"])
    expect(JSON.parse(list.out)).toEqual([])
  })

  it("assets serve answers on loopback, and stops on SIGINT with exit 130", async () => {
    const p = spawn(join(root, "bin", "assets.js"), ["serve", "--port", "0"], { cwd: root, env: env() })
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = ""
        p.stdout.on("data", (d) => {
          out += d
          const m = /on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)
          if (m) resolve(m[1]!)
        })
        p.on("exit", (code) => reject(new Error(`serve exited with ${code}`)))
      })
      expect(await (await fetch(`${url}/api/health`)).json()).toEqual({ ok: true, project: "sakila" })
      const lineage = (await (await fetch(`${url}/api/assets/streaming_films/lineage?partition=2023-02&depth=3`)).json()) as { nodes: Array<{ asset: string }> }
      expect(lineage.nodes.map((n) => n.asset)).toContain("streaming_landing")
      expect((await fetch(`${url}/`)).headers.get("content-type")).toContain("text/html")
      // the start-up's listener rejects on exit: it has done its work
      p.removeAllListeners("exit")
      const exited = new Promise<number | null>((r) => p.once("exit", (code) => r(code)))
      p.kill("SIGINT")
      expect(await exited).toBe(130)
    } finally {
      if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL")
    }
  })
})
