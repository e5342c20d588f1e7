import { spawnSync } from "node:child_process"
import { join, resolve } from "node:path"
import { Duration, Effect } from "effect"
import { describe, expect, it } from "vitest"
import { generate } from "../assets/feed/generate.js"
import { compileTemplate, sakilaTemplate } from "../assets/feed/kdgTemplate.js"
import { startServe } from "./support/serveProcess.js"
import { tempDir } from "./support/testProject.js"

// The how-to of the README, end to end: `assets serve --daemon` over the Sakila project, the generator sending
// partner events; the daemon lands nothing itself, it reacts to what the ingest endpoint landed.
const getJson = async <A>(url: string): Promise<A> => (await (await fetch(url)).json()) as A

describe("real time, end to end", () => {
  it("with serve --daemon and the generator, category_report comes to count every event sent, and the ticks say why it ran", { timeout: 240_000 }, async () => {
    const dir = tempDir("assets-real-time-")
    const env = {
      ...process.env,
      ASSETS_LAKE: join(dir, "lake"),
      ASSETS_STATE_DIR: join(dir, "state"),
      ASSETS_STREAM_FEED: "none",
      ASSETS_DAEMON_INTERVAL: "1s",
      ASSETS_INGEST_FLUSH_INTERVAL: "2s"
    }
    const server = await startServe(["serve", "--daemon", "--port", "0"], env, resolve("."))
    try {
      const report = async () => {
        const page = await getJson<{ items: Array<{ id: string }> }>(`${server.url}/api/assets/category_report/materializations?limit=1`)
        if (page.items[0] === undefined) return undefined
        const preview = await getJson<{ rows: Array<{ streams: number | string }> }>(`${server.url}/api/materializations/${page.items[0].id}/preview?limit=100`)
        return preview.rows.reduce((n, r) => n + Number(r.streams), 0)
      }
      const waitFor = async (ok: (streams: number | undefined) => boolean, what: string) => {
        const until = Date.now() + 120_000
        for (let r = await report(); !ok(r); r = await report()) {
          if (Date.now() > until) throw new Error(`${what}: category_report counts ${r}\n${server.output()}`)
          await new Promise((done) => setTimeout(done, 250))
        }
      }
      // the first ticks materialize what is missing: the Sakila tables and an empty report
      await waitFor((s) => s === 0, "the daemon's first ticks")

      const sent = await Effect.runPromise(
        generate({ rate: 10, duration: Duration.seconds(3), to: server.url, source: "streaming_landing", template: compileTemplate(sakilaTemplate), malformed: 0.2, seed: 4, token: undefined, batch: 500 })
      )
      expect(sent.sent).toBe(30)
      expect(sent.rejected).toBeGreaterThan(0)
      await waitFor((s) => s === sent.accepted, "the events sent")

      const ticks = await getJson<{ items: Array<{ decisions: Array<{ asset: string; decision: string; reason: string }> }> }>(`${server.url}/api/ticks?asset=streaming_checked&limit=50`)
      const reasons = ticks.items.flatMap((t) => t.decisions.filter((d) => d.decision === "run").map((d) => d.reason))
      expect(reasons.some((r) => /^source streaming_landing\[\d{4}-\d{2}\] changed/.test(r) || r === "never materialized")).toBe(true)
      const detail = await getJson<{ automation: string; freshnessPolicy: { maxLag: string; overdue: boolean } }>(`${server.url}/api/assets/category_report`)
      expect(detail.automation).toBe("eager")
      expect(detail.freshnessPolicy).toMatchObject({ maxLag: "5m", overdue: false })

      const cli = spawnSync(process.execPath, [resolve("bin/assets.js"), "ticks", "--asset", "category_report", "--limit", "3"], { env, encoding: "utf8" })
      expect(cli.status, cli.stderr).toBe(0)
      expect(cli.stdout).toMatch(/category_report: .* → (run|skip)/)

      server.child.kill("SIGINT")
      expect(await server.exited).toBe(130)
    } finally {
      server.kill()
    }
  })
})
