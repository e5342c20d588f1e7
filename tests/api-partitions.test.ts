import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { ManagedRuntime, Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { embedded } from "../resources/presets.js"
import { materialize } from "../runtime/execute/materialize.js"
import { defineProject } from "../runtime/project/Project.js"
import { makeApp } from "../ui-api/app.js"
import * as Auth from "../ui-api/auth.js"
import { apiLayer } from "../ui-api/layer.js"
import { AssetDetail, PartitionStatusView } from "../ui-api/schemas.js"
import { partitionKinds } from "./support/partitionKinds.js"
import { tempDir } from "./support/testProject.js"

// The routes for partitions beyond months (dynamic keys, reported materializations, root causes), over the small
// project of every partition kind (tests/support/partitionKinds.ts) in-process.
const dir = tempDir("api-partitions-")
const land = (path: string, values: ReadonlyArray<number>) => {
  const file = join(dir, "lake", "landing", path)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, values.map((n) => JSON.stringify({ n })).join("\n") + "\n")
}
const project = defineProject({ name: "partition-kinds", assets: partitionKinds, layer: embedded({ lake: join(dir, "lake"), state: join(dir, "state") }) })
const runtime = ManagedRuntime.make(apiLayer(project, Auth.layer({ host: "127.0.0.1" })))
const app = makeApp(runtime)
const get = (path: string) => app.request(path)
const post = (path: string, body: unknown) => app.request(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
const body = async (res: Response, status = 200) => {
  const b = (await res.json()) as Record<string, unknown>
  expect(res.status, JSON.stringify(b)).toBe(status)
  return b
}

beforeAll(async () => {
  for (const day of ["2023-01-01", "2023-01-02", "2023-02-01"]) land(`days/${day}.jsonl`, [1])
  land("partners/acme.jsonl", [1])
  await runtime.runPromise(materialize({ selection: "running,partner_counts,bottom" }))
}, 120_000)
afterAll(async () => {
  await runtime.dispose()
  rmSync(dir, { recursive: true, force: true })
})

describe("partition routes", () => {
  it("an asset says what its partitions are, in words and keys", async () => {
    const sales = Schema.decodeUnknownSync(AssetDetail)(await body(await get("/api/assets/sales")))
    expect(sales.partitionsDefinition).toMatchObject({ kind: "multi", count: 6, first: "2023-01|americas", last: "2023-03|europe" })
    expect(sales.partitionsDefinition!.dimensions!.map((d) => d.name)).toEqual(["month", "region"])
    const days = Schema.decodeUnknownSync(AssetDetail)(await body(await get("/api/assets/day_totals")))
    expect(days.partitionsDefinition).toMatchObject({ kind: "daily", first: "2023-01-01", last: "2023-03-31", count: 90 })
  })

  it("dynamic keys: listed, added (each once), removed; bad keys and unknown names are 4xx with the reason", async () => {
    expect(await body(await get("/api/partitions/partners"))).toEqual({ name: "partners", keys: ["acme"] })
    expect(await body(await post("/api/partitions/partners", { keys: ["globex", "acme"] }))).toEqual({ name: "partners", changed: ["globex"], keys: ["acme", "globex"] })
    expect(await body(await post("/api/partitions/partners/remove", { keys: ["globex"] }))).toEqual({ name: "partners", changed: ["globex"], keys: ["acme"] })
    const bad = await body(await post("/api/partitions/partners", { keys: ["a/b"] }), 400)
    expect(bad._tag).toBe("InvalidInput")
    expect(String(bad.message)).toContain("not a usable partition key")
    expect((await body(await post("/api/partitions/partners", { keys: [] }), 400))._tag).toBe("InvalidInput")
    const unknown = await body(await get("/api/partitions/vendors"), 404)
    expect(unknown.message).toBe("no dynamic partitions named 'vendors': the project has partners")
  })

  it("a partition key of any kind in the path; a malformed one is a 400 saying how to write it", async () => {
    const one = Schema.decodeUnknownSync(PartitionStatusView)(await body(await get(`/api/assets/day_totals/partitions/2023-01-02`)))
    expect(one.freshness).toBe("FRESH")
    const bad = await body(await get(`/api/assets/day_totals/partitions/2023-02-30`), 400)
    expect(bad.message).toContain("write it as YYYY-MM-DD")
    const multi = await body(await get(`/api/assets/sales/partitions/${encodeURIComponent("2023-01|asia")}`), 400)
    expect(multi.message).toContain("dimension region")
  })

  it("a materialization reported from outside is current at once, with lineage; the readers' root causes name it once", async () => {
    const reported = await body(await post("/api/assets/month_totals/materializations", { partition: "2023-01", dataVersion: "legacy-3", rowCount: 1 }), 201)
    expect(reported).toMatchObject({ asset: "month_totals", partition: "2023-01", dataVersion: "legacy-3", inputs: 2 })
    const totals = Schema.decodeUnknownSync(PartitionStatusView)(await body(await get("/api/assets/month_totals/partitions/2023-01")))
    expect(totals.freshness).toBe("FRESH")
    const running = Schema.decodeUnknownSync(PartitionStatusView)(await body(await get("/api/assets/running/partitions/2023-02")))
    expect(running.freshness).toBe("STALE")
    expect(running.rootCauses!.map((r) => r.message)).toEqual([expect.stringMatching(/^running\[2023-01\]: input month_totals\[2023-01\] has a new data version \(\w+ -> legacy-3\)$/)])
    const refused = await body(await post("/api/assets/month_totals/materializations", { dataVersion: "x" }), 400)
    expect(refused.message).toContain("is partitioned")
    expect((await body(await post("/api/assets/day_files/materializations", { partition: "2023-01-01", dataVersion: "x" }), 400)).message).toContain("is a source")
    expect((await body(await post("/api/assets/month_totals/materializations", { partition: "2023-01", dataVersion: "" }), 400))._tag).toBe("InvalidInput")
  })
})
