/**
 * Check results where people and scripts read them: `assets check`, `materialize`, `status` (and --json) through
 * the built command, and GET /api/assets/{key}/checks, over the Sakila project materialized once (api-fixture).
 */
import { spawn } from "node:child_process"
import { join } from "node:path"
import { Effect, Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import type { AssetDef } from "../runtime/asset/Asset.js"
import { CheckStore } from "../runtime/checks/CheckStore.js"
import { newId } from "../runtime/events/ids.js"
import { Project } from "../runtime/project/Project.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { AssetChecks } from "../ui-api/routes/checks.js"
import { apiFixture, type ApiFixture } from "./api-fixture.js"

let f: ApiFixture
beforeAll(async () => {
  f = await apiFixture()
}, 120_000)
afterAll(async () => {
  await f?.dispose()
})

const root = join(import.meta.dirname, "..")
const cli = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const p = spawn(join(root, "bin", "assets.js"), args, {
      cwd: root,
      env: { ...process.env, ASSETS_LAKE: join(f.dir, "lake"), ASSETS_STATE_DIR: join(f.dir, "state"), ASSETS_STREAM_FEED: "none" }
    })
    let out = ""
    let err = ""
    p.stdout.on("data", (d) => (out += d))
    p.stderr.on("data", (d) => (err += d))
    p.on("exit", (code) => resolve({ code, out, err }))
  })
const get = (path: string) => f.app.request(path, { headers: { Host: "127.0.0.1" } })

describe("check results in the API", () => {
  it("GET /api/assets/{key}/checks: the definitions, the latest result per partition, the results per materialization", async () => {
    const res = await get("/api/assets/streaming_partitions/checks")
    expect(res.status).toBe(200)
    const body = Schema.decodeUnknownSync(AssetChecks)(await res.json())
    expect(body.definitions.map((d) => `${d.name} ${d.severity} ${d.blocking}`)).toEqual([
      "rejected_under_1pct warn false",
      "rejected_under_20pct error true",
      "rows_at_least_half_of_previous_month warn false"
    ])
    // the months with events (late ones of March reach into April's arrival month)
    const months = body.partitions.map((p) => p.partition)
    expect(months.slice(0, 3)).toEqual(["2023-01", "2023-02", "2023-03"])
    for (const p of body.partitions) {
      expect(p.checks.map((c) => c.check)).toEqual(body.definitions.map((d) => d.name))
      expect(p.checks.every((c) => c.materializationId === p.currentMaterializationId && !c.stale)).toBe(true)
    }
    expect(body.materializations.items.length).toBe(months.length)
    expect(body.materializations.items.every((m) => m.recorded && m.current && m.results.length === 3)).toBe(true)

    const one = Schema.decodeUnknownSync(AssetChecks)(await (await get("/api/assets/streaming_partitions/checks?partition=2023-02&limit=1")).json())
    expect(one.partitions.map((p) => p.partition)).toEqual(["2023-02"])
    expect(one.materializations.items.map((m) => m.partition)).toEqual(["2023-02"])
    expect(one.materializations.nextCursor).toBeNull()
    const paged = Schema.decodeUnknownSync(AssetChecks)(await (await get("/api/assets/streaming_partitions/checks?limit=2")).json())
    expect(paged.materializations.items).toHaveLength(2)
    const rest = Schema.decodeUnknownSync(AssetChecks)(
      await (await get(`/api/assets/streaming_partitions/checks?limit=10&before=${paged.materializations.nextCursor}`)).json()
    )
    expect([...paged.materializations.items, ...rest.materializations.items].map((m) => m.materializationId).sort()).toEqual(
      body.materializations.items.map((m) => m.materializationId).sort()
    )
  })

  it("answers 404 for an unknown asset, 400 for a bad partition, and nothing for an asset without checks", async () => {
    expect((await get("/api/assets/nope/checks")).status).toBe(404)
    const bad = await get("/api/assets/streaming_films/checks?partition=2023-13")
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { _tag: string })._tag).toBe("InvalidPartition")
    const source = Schema.decodeUnknownSync(AssetChecks)(await (await get("/api/assets/streaming_landing/checks")).json())
    expect(source).toEqual({ asset: "streaming_landing", definitions: [], partitions: [], materializations: { items: [], nextCursor: null } })
    const doc = (await (await get("/openapi.json")).json()) as { paths: Record<string, { get?: { responses: Record<string, unknown> } }> }
    expect(doc.paths["/api/assets/{key}/checks"]?.get?.responses["200"]).toBeDefined()
  })
})

describe("check results on the command line", () => {
  it("`assets check` runs a selection's checks over its current outputs and records them", async () => {
    const text = await cli(["check", "streaming_films", "--partition", "2023-02"])
    expect(text.code, text.err).toBe(0)
    expect(text.out).toContain("streaming_films[2023-02]\n    ✓ check film_id_in_film_category")
    expect(text.out).toContain("Checked 1 asset partition: 1 passed, 0 failed, 0 warned.")
    const json = await cli(["check", "+film_category", "--json"])
    expect(json.code, json.err).toBe(0)
    const parsed = JSON.parse(json.out) as Array<{ asset: string; partition: string | null; checks: Array<{ check: string; status: string }> }>
    expect(parsed.map((c) => c.asset)).toEqual(["clean_category", "clean_film", "clean_film_category", "clean_language", "film_category"])
    expect(parsed.find((c) => c.asset === "film_category")!.checks.map((c) => `${c.check} ${c.status}`)).toEqual(["unique_film_id PASSED", "one_row_per_film PASSED"])
    expect((await cli(["check", "nope"])).code).toBe(2)
    expect((await cli(["check", "streaming_films", "--partition", "2023-13"])).code).toBe(2)
    const none = await cli(["check", "category_report"])
    expect(none.out).toContain("None of category_report has checks")
  }, 60_000)

  it("`assets materialize` prints each check's outcome", async () => {
    const run = await cli(["materialize", "clean_language", "--force"])
    expect(run.code, run.err).toBe(0)
    expect(run.out).toMatch(/✓ clean_language .*\n {4}✓ check more_than_one_row: 6 rows \(at least 2\)\n {4}✓ check not_null_language_id\n/)
    const json = await cli(["materialize", "clean_language", "--force", "--json"])
    const outcome = (JSON.parse(json.out) as { outcomes: Array<{ checks: Array<{ check: string; status: string }> }> }).outcomes[0]!
    expect(outcome.checks.map((c) => `${c.check} ${c.status}`)).toEqual(["more_than_one_row PASSED", "not_null_language_id PASSED"])
  }, 60_000)

  it("`assets status` shows failed and warned checks per partition, and --json has them", async () => {
    // a failed and a warned result as a run would have left them (the API's runtime shares the store)
    await f.runtime.runPromise(
      Effect.gen(function* () {
        const { graph } = yield* Project
        const def = graph.get("streaming_partitions" as AssetKey) as AssetDef<any, any>
        const films = graph.get("streaming_films" as AssetKey) as AssetDef<any, any>
        const at = new Date().toISOString()
        const result = (asset: AssetDef<any, any>, check: string, status: "FAILED" | "WARNED", message: string) => {
          const c = asset.checks.find((x) => x.name === check)!
          return {
            id: newId("k"), asset: asset.key, partition: "2023-02" as PartitionKey, check, checkVersion: c.version, severity: c.severity, blocking: c.blocking,
            status, materializationId: newId("m"), runId: "r-test", failingRows: status === "FAILED" ? 3 : null, sample: [], message, metadata: {}, at, durationMs: 1
          }
        }
        yield* (yield* CheckStore).record([
          result(films, "film_id_in_film_category", "FAILED", "3 failing rows"),
          result(def, "rejected_under_1pct", "WARNED", "30 of 2000 rows rejected: 1.50% (at most 1.00%)")
        ])
      })
    )
    const text = await cli(["status", "streaming_partitions,streaming_films"])
    expect(text.code, text.err).toBe(0)
    expect(text.out).toMatch(/streaming_partitions .*\d partitions: \d fresh, 0 stale, 0 missing, \d with warnings/)
    expect(text.out).toContain("2023-02: check rejected_under_1pct warned: 30 of 2000 rows rejected: 1.50% (at most 1.00%)")
    expect(text.out).toMatch(/streaming_films .*1 with failed checks/)
    expect(text.out).toContain("2023-02: check film_id_in_film_category failed: 3 failing rows")
    const json = await cli(["status", "streaming_films", "--json"])
    const [summary] = JSON.parse(json.out) as Array<{ partitions: Array<{ partition: string; checks: Array<{ check: string; status: string; failingRows: number }> }>; staleChecks: Array<unknown> }>
    expect(summary!.partitions.find((p) => p.partition === "2023-02")!.checks).toMatchObject([{ check: "film_id_in_film_category", status: "FAILED", failingRows: 3 }])
    expect(summary!.partitions.find((p) => p.partition === "2023-01")!.checks).toEqual([])
    expect(summary!.staleChecks).toEqual([])
  }, 60_000)
})
