import { spawnSync } from "node:child_process"
import { resolve } from "node:path"
import { describe, expect, it } from "vitest"

/** Each bench in its small --quick mode, so none rots unnoticed: it runs, and prints its table. */
describe("benches in --quick mode", () => {
  it("bench/runtime.ts prints its table: validation, graph build and selection at two sizes, status of a filled store, growth and peak RSS", () => {
    const run = spawnSync(resolve("node_modules/.bin/tsx"), ["bench/runtime.ts", "--quick"], { encoding: "utf8" })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^\| validate 1000 assets, \d+ edges \| [\d.]+ \| [\d.]+ \| [\d.]+x \|/m)
    expect(run.stdout).toMatch(/^\| build the graph \(validate, edges, order\) of 3000 \| [\d.]+ \| [\d.]+ \| [\d.]+x \| [\d.]+x for 3x \|/m)
    expect(run.stdout).toMatch(/^\| select \+leaf among 3000 \| [\d.]+ \|/m)
    // the bench itself checks the filled store reads all FRESH before it reports the row
    expect(run.stdout).toMatch(/^\| status of 300 assets, \d+ partitions \(\d+ records, \d+ inputs\) \| [\d.]+ \| [\d.]+ \| [\d.]+x \|/m)
    expect(run.stdout).toMatch(/^peak RSS \d+ MB$/m)
  })

  it("bench/cli.ts prints its table: --help, list, a no-op materialize and status as processes, against node -e 0", () => {
    const run = spawnSync(resolve("node_modules/.bin/tsx"), ["bench/cli.ts", "--quick"], { encoding: "utf8" })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^\| node -e 0 \(baseline\) \| \d+ \| \d+ \| 1\.0x \|/m)
    for (const row of ["assets --help", "assets list", "assets materialize category_report \\(no-op\\)", "assets status"]) {
      expect(run.stdout).toMatch(new RegExp(`^\\| ${row} \\| \\d+ \\| \\d+ \\| [\\d.]+x \\|`, "m"))
    }
  })
})
