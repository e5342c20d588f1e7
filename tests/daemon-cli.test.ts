import { spawn, spawnSync } from "node:child_process"
import { resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { landTick } from "./support/synthetic.js"
import { tempDir, testProject } from "./support/testProject.js"
import { chain } from "./support/synthetic.js"

// `assets daemon` and `assets ticks` as the built command runs them, over the synthetic chain made eager.
const bin = resolve("bin/assets.js")

describe("assets daemon", () => {
  it("ticks, launches what is new, prints why, and stops on SIGINT with exit 130; assets ticks shows the decisions", async () => {
    const dir = tempDir("assets-daemon-cli-")
    const land = testProject({ assets: chain(2), dir })
    await land.run(landTick("2023-05", ["a", "b"]))
    await land.dispose(false)
    const env = { ...process.env, SYNTH_DIR: dir, SYNTH_EAGER: "1", ASSETS_CONFIG: resolve("tests/fixtures/synthetic.config.ts") }

    const once = spawnSync(process.execPath, [bin, "daemon", "--once"], { env, encoding: "utf8" })
    expect(once.status, once.stderr).toBe(0)
    expect(once.stdout).toMatch(/launched run r\w+ for 2 asset partitions: step1, step2 \(2023-05\)/)
    expect(once.stdout).toContain("step1[2023-05]: never materialized → run")
    expect(once.stdout).toMatch(/run r\w+ SUCCESS: 2 materialized, 0 fresh, 0 failed/)

    const daemon = spawn(process.execPath, [bin, "daemon", "--interval", "200ms"], { env, stdio: "pipe" })
    let out = ""
    daemon.stdout.on("data", (d: Buffer) => (out += d.toString()))
    daemon.stderr.on("data", (d: Buffer) => (out += d.toString()))
    try {
      const until = Date.now() + 60_000
      while (!/nothing to launch/.test(out)) {
        if (Date.now() > until || daemon.exitCode !== null) throw new Error(`the daemon did not tick:\n${out}`)
        await new Promise((r) => setTimeout(r, 100))
      }
      const exited = new Promise<number | null>((done) => daemon.once("exit", (code) => done(code)))
      daemon.kill("SIGINT")
      expect(await exited).toBe(130)
      expect(out).toContain("daemon stopped")
    } finally {
      if (daemon.exitCode === null) daemon.kill("SIGKILL")
    }

    const ticks = spawnSync(process.execPath, [bin, "ticks", "--asset", "step2", "--limit", "50"], { env, encoding: "utf8" })
    expect(ticks.status, ticks.stderr).toBe(0)
    expect(ticks.stdout).toContain("step2[2023-05]: never materialized → run")
    expect(ticks.stdout).toContain("step2[2023-05]: fresh → skip")
    expect(ticks.stdout).not.toMatch(/^  step1/m)
    const unknown = spawnSync(process.execPath, [bin, "ticks", "--asset", "stepp2"], { env, encoding: "utf8" })
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain("step2")
  })
})
