import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { cliRunner, printedJson } from "./support/cliRunner.js"
import { tempDir } from "./support/testProject.js"

// End to end through the built CLI, on a small project of every partition kind (tests/support/partitionKinds.ts).
const dir = tempDir()
const env = (extra: Record<string, string> = {}) => ({ ...process.env, SYNTH_DIR: dir, ASSETS_CONFIG: resolve("tests/fixtures/partitionKinds.config.ts"), ...extra })
const { cli, ok } = cliRunner(env)
const json = printedJson
const land = (path: string, values: ReadonlyArray<number>) => {
  const file = join(dir, "lake", "landing", path)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, values.map((n) => JSON.stringify({ n })).join("\n") + "\n")
}
type Summary = { asset: string; status: string; partitions: Array<{ partition: string | null; freshness: string; rootCauses?: Array<{ message: string }> }> }
const statusOf = (selection: string, extra: Record<string, string> = {}): Array<Summary> => json(ok(["status", selection, "--json"], extra))
const stale = (s: Summary) => s.partitions.filter((p) => p.freshness !== "FRESH").map((p) => p.partition)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("partitions of every kind, through the CLI", () => {
  it("daily files roll up into months; a changed day makes exactly its month stale, and the running total from there on, run in order", () => {
    for (const month of ["01", "02", "03"]) for (const day of ["01", "02", "15"]) land(`days/2023-${month}-${day}.jsonl`, [Number(month), Number(day)])
    ok(["materialize", "running"])
    const fresh = statusOf("day_totals,month_totals,running")
    expect(fresh.map((s) => s.status)).toEqual(["FRESH", "FRESH", "FRESH"])
    expect(fresh[0]!.partitions).toHaveLength(9)
    expect(fresh[1]!.partitions.map((p) => p.partition)).toEqual(["2023-01", "2023-02", "2023-03"])

    land("days/2023-02-15.jsonl", [100])
    const after = statusOf("day_totals,month_totals,running")
    expect(stale(after[0]!)).toEqual(["2023-02-15"])
    expect(stale(after[1]!)).toEqual(["2023-02"])
    expect(stale(after[2]!)).toEqual(["2023-02", "2023-03"])

    const run = json(ok(["materialize", "running", "--json"]))
    const steps = (run.outcomes as Array<{ asset: string; partition: string; state: string }>).filter((o) => o.asset === "running" && o.state === "succeeded").map((o) => o.partition)
    expect(steps).toEqual(["2023-02", "2023-03"])
    const totals = json(ok(["preview", "running", "--partition", "2023-03", "--json"]))
    // 1+1+1+15 + 2+1+2+2+100 ... : January (1+1, 1+2, 1+15) = 21, February (2+1, 2+2, 100) = 107, March (3+1, 3+2, 3+15) = 27
    expect(Number(totals.rows[0].total)).toBe(21 + 107 + 27)
  })

  it("a running total backfills in order; a day bound or a month bound select the days of a daily asset", () => {
    const b = ok(["materialize", "day_totals", "--from", "2023-02", "--to", "2023-02", "--force", "--json"])
    const forced = (json(b).outcomes as Array<{ partition: string; state: string }>).filter((o) => o.state === "succeeded").map((o) => o.partition)
    expect(forced).toEqual(["2023-02-01", "2023-02-02", "2023-02-15"])
    const bad = cli(["materialize", "day_totals", "--partition", "2023-02-30"])
    expect(bad.status).not.toBe(0)
    expect(bad.stderr).toContain("'2023-02-30' is not a daily partition key: write it as YYYY-MM-DD")
  })

  it("a month x region asset, keys written month|region, rolled up by month through the shared dimension", () => {
    for (const region of ["americas", "europe"]) for (const month of ["2023-01", "2023-02", "2023-03"]) land(`sales/${region}/${month}.jsonl`, [region === "europe" ? 10 : 1])
    ok(["materialize", "sales_by_month"])
    const [sales, byMonth] = statusOf("sales,sales_by_month")
    expect(sales!.partitions.map((p) => p.partition)).toEqual(["2023-01|americas", "2023-01|europe", "2023-02|americas", "2023-02|europe", "2023-03|americas", "2023-03|europe"])
    expect(byMonth!.status).toBe("FRESH")
    const rows = json(ok(["preview", "sales_by_month", "--partition", "2023-02", "--json"])).rows as Array<{ region: string; total: number }>
    expect(rows.map((r) => [r.region, Number(r.total)]).sort()).toEqual([["americas", 1], ["europe", 10]])
    const one = json(ok(["preview", "sales", "--partition", "2023-02|europe", "--json"])).rows
    expect(one[0].month_start).toBe("2023-02-01T00:00:00.000Z")
    land("sales/europe/2023-02.jsonl", [11])
    expect(stale(statusOf("sales_by_month")[0]!)).toEqual(["2023-02"])
    expect(cli(["status", "sales", "--json"]).status).toBe(0)
    const wrong = cli(["materialize", "sales", "--partition", "2023-02|asia"])
    expect(wrong.stderr).toContain("dimension region: 'asia' is not a partition: the partitions are americas, europe")
  })

  it("dynamic partitions: a source's observation adds its keys when a runner records it; the command adds and refuses", () => {
    land("partners/acme.jsonl", [1, 2])
    land("partners/globex.jsonl", [3])
    // a read command sees the keys observed now without storing them
    expect(statusOf("partner_counts")[0]!.partitions.map((p) => p.partition)).toEqual(["acme", "globex"])
    expect(json(ok(["partitions", "--json"])).dynamic.partners).toEqual([])
    ok(["materialize", "partner_counts"])
    expect(json(ok(["partitions", "--json"])).dynamic.partners).toEqual(["acme", "globex"])
    expect(ok(["partitions", "add", "partners", "initech"])).toContain("added initech")
    const status = statusOf("partner_counts")[0]!
    expect(status.partitions.map((p) => [p.partition, p.freshness])).toEqual([["acme", "FRESH"], ["globex", "FRESH"]])
    const unknown = cli(["partitions", "add", "vendors", "x"])
    expect(unknown.status).not.toBe(0)
    expect(unknown.stderr).toContain("no dynamic partitions named 'vendors' in the project: it has partners")
    expect(cli(["partitions", "add", "partners", "a|b"]).stderr).toContain("not a usable partition key")
  })

  it("a diamond's code change is reported once as the root cause; a compute's own data version stands for its content", () => {
    ok(["materialize", "bottom"])
    const why = json(ok(["status", "bottom", "--why", "--json"], { BASE_VALUE: "2" }))[0] as Summary
    expect(why.status).toBe("STALE")
    const roots = why.partitions[0]!.rootCauses!.map((r) => r.message)
    expect(roots.filter((m) => m.startsWith("base: code version changed"))).toHaveLength(1)
    expect(roots).toHaveLength(1)
    const text = ok(["status", "bottom", "--why"], { BASE_VALUE: "2" })
    expect(text).toContain("root causes:")
    // right's data version is what its compute said (zero-0), whatever base holds: after base changes, right is re-run
    // and its version is unchanged, so bottom is stale through left only
    ok(["materialize", "left,right,base"], { BASE_VALUE: "2" })
    const bottom = json(ok(["status", "bottom", "--json"], { BASE_VALUE: "2" }))[0] as Summary & { partitions: Array<{ causes: Array<{ _tag: string; input: string }> }> }
    expect(bottom.partitions[0]!.causes.map((c) => `${c._tag} ${c.input}`)).toEqual(["InputChanged left"])
    const lineage = json(ok(["lineage", "right", "--json"], { BASE_VALUE: "2" }))
    expect(JSON.stringify(lineage)).toContain("zero-0")
    ok(["materialize", "bottom"], { BASE_VALUE: "2" })
  })

  it("an observation that does not fit its source is refused with the keys, nothing is stored; status shows the readers as unknown", () => {
    const bad = { BAD_KEYS: "2023-01-01,2099-01-01,someday" }
    const status = cli(["status"], { ...bad, BASE_VALUE: "2" })
    expect(status.status).toBe(0)
    expect(status.stdout).toMatch(/UNKNOWN\s+odd_reader/)
    expect(status.stdout).toContain("source 'odd_source' observed 2 partitions that are not among its keys: 2099-01-01, someday")
    expect(status.stdout).toMatch(/FRESH\s+running/)
    expect(status.stdout).toMatch(/FRESH\s+bottom/)
    const run = cli(["materialize", "odd_reader"], bad)
    expect(run.status).not.toBe(0)
    expect(run.stderr).toContain("2099-01-01")
    const whole = cli(["materialize", "odd_reader"], { BAD_WHOLE: "1" })
    expect(whole.stderr).toContain("source 'odd_source' is partitioned (daily from 2023-01-01 to 2023-03-31), but its observation gave one version")
    // a version no store keeps whole (MySQL's column is 64 characters; SQLite would have kept it)
    const long = cli(["materialize", "odd_reader"], { BAD_VERSION: "v".repeat(65) })
    expect(long.status).not.toBe(0)
    expect(long.stderr).toContain(`source 'odd_source' observed a data version of 65 characters for 2023-01-01 (${"v".repeat(20)}…): give 1 to 64 characters`)
    expect(cli(["materialize", "odd_reader"], { BAD_VERSION: "" }).stderr).toContain("source 'odd_source' observed an empty data version for 2023-01-01")
    // nothing of the refused observations was kept: a good one materializes exactly its one day
    ok(["materialize", "odd_reader"])
    expect(statusOf("odd_reader")[0]!.partitions.map((p) => p.partition)).toEqual(["2023-01-01"])
  })

  it("a materialization made outside is recorded with lineage; selections by group, tag, pattern and exclusion", () => {
    const out = ok(["report", "month_totals", "--partition", "2023-01", "--data-version", "legacy-7", "--rows", "1"])
    expect(out).toContain("recorded month_totals[2023-01] as materialized outside (data version legacy-7, 3 inputs)")
    const [totals, running] = statusOf("month_totals,running")
    expect(totals!.status).toBe("FRESH")
    expect(stale(running!)).toEqual(["2023-01", "2023-02", "2023-03"])
    expect(cli(["report", "month_totals", "--data-version", "x"]).stderr).toContain("is partitioned")
    const keys = (selection: string, ...more: Array<string>) => (json(ok(["status", selection, ...more, "--json"])) as Array<Summary>).map((s) => s.asset)
    expect(keys("group:diamond")).toEqual(["base", "left", "right", "bottom"])
    expect(keys("tag:finance")).toEqual(["month_totals", "running"])
    expect(keys("tag:owner=ana")).toEqual(["running"])
    expect(keys("*_totals")).toEqual(["day_totals", "month_totals"])
    expect(keys("group:diamond", "--exclude", "left,right")).toEqual(["base", "bottom"])
    expect(keys("+running", "--exclude", "group:rollup")).toEqual(["day_files"])
    expect(cli(["status", "group:nope"]).stderr).toContain("no asset in group 'nope' (groups: default, diamond, partners, rollup, sales, sources")
    expect(cli(["status", "tag:gone"]).stderr).toContain("no asset tagged 'gone' (tags: finance, owner=ana, pii)")
  })
})

