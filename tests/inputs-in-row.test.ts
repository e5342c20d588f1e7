import { rmSync } from "node:fs"
import { join } from "node:path"
import Sqlite from "better-sqlite3"
import { Effect, Either, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { inputsJson } from "../resources/event-store/materializationValues.js"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { EventStore } from "../runtime/events/EventStore.js"
import type { InputRecord, Materialization } from "../runtime/events/records.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { aMaterialization as aRecord } from "./support/aMaterialization.js"
import { tempDir } from "./support/testProject.js"

const key = (s: string) => s as AssetKey
const month = (s: string) => s as PartitionKey

/** with metadata and versions whose text needs escaping in JSON */
const aMaterialization = (asset: string, partition: string | null, over: Partial<Materialization> = {}): Materialization =>
  aRecord(asset, partition, {
    runId: "r-history",
    metadata: { path: `curated/${asset}/data.parquet`, note: "ünïcode ✓ \u2028 \"quoted\" \\ \u0001", n: 1.5, nested: { list: [1, null, "x"] } },
    ...over
  })

/**
 * A record's row carries what it read (inputs_json), so a history page or a lineage level reads one row per record.
 * Rows without it (records written before the column, or ones that read too much to copy) are read from
 * materialization_inputs: the same records either way, in one page.
 */
describe("a record's inputs carried in its row", () => {
  let dir: string
  let runtime: ManagedRuntime.ManagedRuntime<EventStore, unknown>
  const run = <A, E>(f: (s: EventStore["Type"]) => Effect.Effect<A, E>) => runtime.runPromise(Effect.flatMap(EventStore, f))
  const failure = async <A, E>(f: (s: EventStore["Type"]) => Effect.Effect<A, E>) => {
    const result = await runtime.runPromise(Effect.either(Effect.flatMap(EventStore, f)))
    return Either.isLeft(result) ? (result.left as Error).message : "read"
  }
  const db = () => new Sqlite(join(dir, "events.sqlite"))
  const film = aMaterialization("clean_film", null)
  const months = ["2023-01", "2023-02", "2023-03", "2023-04"].map((p) =>
    aMaterialization("streaming_films", p, {
      inputs: [
        { asset: key("clean_film"), partition: null, dataVersion: film.dataVersion, producerId: film.id },
        { asset: key("streaming_partitions"), partition: month(p), dataVersion: "v\u00e9\n\"x\"", producerId: null }
      ]
    })
  )
  // too much to copy into its row: about 16,000 inputs of 64 characters
  const wide = aMaterialization("streaming_films", "2023-05", {
    inputs: Array.from({ length: 16_000 }, (_, i): InputRecord => ({
      asset: key("streaming_partitions"),
      partition: month(`p${String(i).padStart(10, "0")}`),
      dataVersion: `v${i}`,
      producerId: `m-${String(i).padStart(20, "0")}`
    }))
  })

  beforeAll(async () => {
    dir = tempDir("inputs-in-row-")
    runtime = ManagedRuntime.make(SqliteEventStore.layer(join(dir, "events.sqlite")))
    for (const m of [film, ...months, wide]) await run((s) => s.recordMaterialization(m))
    // two records as a store written before the column holds them
    const d = db()
    d.prepare("UPDATE materializations SET inputs_json = NULL WHERE id IN (?, ?)").run(months[1]!.id, months[3]!.id)
    d.close()
  })
  afterAll(async () => {
    await runtime.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it("copies into each row the inputs its materialization_inputs rows hold, in their order; none for too many", () => {
    const d = db()
    const rows = d.prepare("SELECT id, inputs_json FROM materializations").all() as Array<{ id: string; inputs_json: string | null }>
    const table = d.prepare("SELECT input_asset_key, input_partition_key, data_version, producer_id FROM materialization_inputs WHERE materialization_id = ? ORDER BY rowid").raw(true)
    const carried = rows.filter((r) => r.inputs_json !== null)
    expect(carried.map((r) => r.id).sort()).toEqual([film, months[0]!, months[2]!].map((m) => m.id).sort())
    for (const r of carried) expect(JSON.parse(r.inputs_json!)).toEqual(table.all(r.id))
    d.close()
    expect(inputsJson(wide.inputs)).toBeNull()
    expect(inputsJson(wide.inputs.slice(0, 10))).not.toBeNull()
  })

  it("gives each record with its inputs, whether its row carries them or not, in pages, by id and as consumers", async () => {
    expect(await run((s) => s.materializations({ asset: key("streaming_films"), limit: 10 }))).toEqual([wide, ...[...months].reverse()])
    expect(await run((s) => s.materializations({ asset: key("streaming_films"), partition: month("2023-02"), limit: 10 }))).toEqual([months[1]])
    expect(await run((s) => s.materializations({ asset: key("streaming_films"), before: months[3]!.id, limit: 2 }))).toEqual([months[2], months[1]])
    expect(await run((s) => s.materializations({ asset: key("clean_film"), partition: null, limit: 5 }))).toEqual([film])
    expect(await run((s) => s.materializations({ asset: key("clean_film"), before: film.id, limit: 5 }))).toEqual([])
    const byId = (xs: ReadonlyArray<Materialization>) => [...xs].sort((a, b) => a.id.localeCompare(b.id))
    expect(byId(await run((s) => s.materializationsById([...months, wide].map((m) => m.id))))).toEqual(byId([...months, wide]))
    expect(await run((s) => s.consumers(film.id))).toEqual(months)
  })

  it("fails on a copy that is not a list of inputs, naming the row and the column; a row without one fails as materialization_inputs does", async () => {
    const d = db()
    const broken = aMaterialization("state_report", null)
    const old = aMaterialization("category_report", null)
    await run((s) => s.recordMaterialization(broken))
    await run((s) => s.recordMaterialization(old))
    d.prepare("UPDATE materializations SET inputs_json = ? WHERE id = ?").run("[[1, 2", broken.id)
    // a BLOB where text belongs, in a record read from materialization_inputs
    d.prepare("UPDATE materializations SET inputs_json = NULL WHERE id = ?").run(old.id)
    d.prepare("INSERT INTO materialization_inputs (materialization_id, input_asset_key, input_partition_key, data_version, producer_id) VALUES (?, ?, '', 'v', NULL)").run(
      old.id,
      Buffer.from("clean_film")
    )
    expect(await failure((s) => s.materializations({ asset: key("state_report"), limit: 5 }))).toContain("materializations row 0: column inputs_json is not JSON")
    d.prepare("UPDATE materializations SET inputs_json = ? WHERE id = ?").run('[["clean_film", "", 3, null]]', broken.id)
    expect(await failure((s) => s.materializationsById([broken.id]))).toContain("materializations inputs_json row 0: column data_version is not text (number)")
    d.prepare("UPDATE materializations SET inputs_json = ? WHERE id = ?").run('{"clean_film": 1}', broken.id)
    expect(await failure((s) => s.materializations({ asset: key("state_report"), limit: 5 }))).toContain("materializations row 0: column inputs_json is not a list")
    expect(await failure((s) => s.materializations({ asset: key("category_report"), limit: 5 }))).toContain(
      "materialization_inputs row 0: column input_asset_key is not text (object)"
    )
    d.close()
  })
})
