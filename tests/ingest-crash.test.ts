import { readdirSync, readFileSync } from "node:fs"
import { join, relative, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { startServe } from "./support/serveProcess.js"
import { tempDir } from "./support/testProject.js"

// `assets serve` over the ingest fixture (tests/fixtures/ingest.config.ts) in child processes: the built command.
const env = (dir: string, extra: Record<string, string> = {}) => ({
  ...process.env,
  INGEST_DIR: dir,
  ASSETS_CONFIG: resolve("tests/fixtures/ingest.config.ts"),
  ASSETS_INGEST_SPOOL: join(dir, "spool"),
  ASSETS_INGEST_FLUSH_INTERVAL: "1 hour",
  ...extra
})

const landed = (dir: string) => {
  const out: Record<string, Array<string>> = {}
  const walk = (d: string) => {
    let entries
    try {
      entries = readdirSync(d, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      if (e.name.startsWith(".")) continue
      if (e.isDirectory()) walk(join(d, e.name))
      else out[relative(join(dir, "lake"), join(d, e.name))] = readFileSync(join(d, e.name), "utf8").split("\n").filter((l) => l !== "")
    }
  }
  walk(join(dir, "lake"))
  return out
}

const lines = (dir: string, prefix: string) => Object.entries(landed(dir)).filter(([p]) => p.startsWith(prefix)).flatMap(([, ls]) => ls)

const batch = (from: number, n: number) => ({
  records: [...Array.from({ length: n }, (_, i) => ({ data: { id: from + i, kind: "a" } })), { data: "{cut" }]
})

const post = (url: string, body: unknown) =>
  fetch(`${url}/api/streams/events/records`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })

describe("the ingest endpoint across a crash", () => {
  it("a SIGKILL right after a 200 loses none of that batch: the next start lands what the spool holds", async () => {
    const dir = tempDir("assets-ingest-crash-")
    const first = await startServe(["serve", "--port", "0"], env(dir))
    try {
      const res = await post(first.url, batch(1, 50))
      expect(res.status).toBe(200)
      expect(((await res.json()) as { accepted: number }).accepted).toBe(50)
      first.child.kill("SIGKILL")
      await first.exited
    } finally {
      first.kill()
    }
    // nothing landed yet: the buffer's interval is an hour, and the process had no time to flush
    expect(lines(dir, "landing/events/")).toEqual([])

    const second = await startServe(["serve", "--port", "0"], env(dir))
    try {
      const ids = lines(dir, "landing/events/").map((l) => (JSON.parse(l) as { id: number }).id)
      expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
      expect(lines(dir, "ingest-errors/events/").map((l) => (JSON.parse(l) as { rawData: string }).rawData)).toEqual(["{cut"])

      // a clean stop (SIGINT) lands what its buffer holds
      expect((await post(second.url, batch(51, 10))).status).toBe(200)
      second.child.kill("SIGINT")
      expect(await second.exited).toBe(130)
      expect(lines(dir, "landing/events/")).toHaveLength(60)
      expect(lines(dir, "ingest-errors/events/")).toHaveLength(2)
    } finally {
      second.kill()
    }
  })
})
