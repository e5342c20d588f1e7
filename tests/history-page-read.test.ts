import { rmSync } from "node:fs"
import { join } from "node:path"
import Sqlite from "better-sqlite3"
import { Effect, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as SqliteEventStore from "../resources/event-store/SqliteEventStore.js"
import type { AssetKey } from "../runtime/asset/AssetKey.js"
import { EventStore } from "../runtime/events/EventStore.js"
import type { Materialization } from "../runtime/events/records.js"
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

/** A history page on SQLite is read in one statement, its inputs as JSON: the same records as the portable read. */
describe("a history page on SQLite", () => {
  let dir: string
  let runtime: ManagedRuntime.ManagedRuntime<EventStore, unknown>
  const run = <A, E>(f: (s: EventStore["Type"]) => Effect.Effect<A, E>) => runtime.runPromise(Effect.flatMap(EventStore, f))
  const film = aMaterialization("clean_film", null)
  const months = ["2023-01", "2023-02", "2023-03"].map((p) =>
    aMaterialization("streaming_films", p, {
      inputs: [
        { asset: key("clean_film"), partition: null, dataVersion: film.dataVersion, producerId: film.id },
        { asset: key("streaming_partitions"), partition: month(p), dataVersion: "v\u00e9\n\"x\"", producerId: null }
      ]
    })
  )

  beforeAll(async () => {
    dir = tempDir("history-page-")
    runtime = ManagedRuntime.make(SqliteEventStore.layer(join(dir, "events.sqlite")))
    for (const m of [film, ...months]) await run((s) => s.recordMaterialization(m))
  })
  afterAll(async () => {
    await runtime.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it("gives each record with its inputs in the order they were recorded, a record without inputs with none", async () => {
    expect(await run((s) => s.materializations({ asset: key("streaming_films"), limit: 10 }))).toEqual([...months].reverse())
    expect(await run((s) => s.materializations({ asset: key("streaming_films"), partition: month("2023-02"), limit: 10 }))).toEqual([months[1]])
    expect(await run((s) => s.materializations({ asset: key("streaming_films"), before: months[2]!.id, limit: 1 }))).toEqual([months[1]])
    expect(await run((s) => s.materializations({ asset: key("clean_film"), partition: null, limit: 5 }))).toEqual([film])
    expect(await run((s) => s.materializations({ asset: key("clean_film"), before: film.id, limit: 5 }))).toEqual([])
  })

  it("reads a row the JSON functions refuse again the portable way, failing as that read does", async () => {
    const db = new Sqlite(join(dir, "events.sqlite"))
    const broken = aMaterialization("state_report", null)
    await run((s) => s.recordMaterialization(broken))
    // a BLOB where text belongs: json_array refuses it; the portable read names the row and the column
    db.prepare("INSERT INTO materialization_inputs (materialization_id, input_asset_key, input_partition_key, data_version, producer_id) VALUES (?, ?, '', 'v', NULL)").run(
      broken.id,
      Buffer.from("clean_film")
    )
    db.close()
    const error = await runtime.runPromise(Effect.flip(Effect.flatMap(EventStore, (s) => s.materializations({ asset: key("state_report"), limit: 5 }))))
    expect(error.message).toContain("materialization_inputs row 0: column input_asset_key is not text (object)")
  })
})
