import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import Database from "better-sqlite3"
import type { AnyAssetDef } from "../runtime/asset/Asset.js"
import type { AssetGraph } from "../runtime/graph/AssetGraph.js"
import { allPartitions } from "../runtime/partitions/MonthlyPartitions.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"

/**
 * Fills a migrated SQLite event store with one current, published materialization of every asset partition of the
 * graph and one observation of every source partition, each recording the versions its inputs have: a store in
 * which everything is FRESH, as after a full run. Written straight through better-sqlite3 in one transaction, so
 * filling a million rows takes seconds, not the minutes the store's own inserts would.
 */
export const fillStore = (file: string, graph: AssetGraph): { readonly materializations: number; readonly inputs: number } => {
  const db = new Database(file)
  const at = new Date().toISOString()
  const versionOf = (asset: string, p: string | null) => `${asset}@${p ?? ""}`
  const partitionsOf = (def: AnyAssetDef): ReadonlyArray<PartitionKey | null> => (def.partitions ? allPartitions(def.partitions) : [null])
  let materializations = 0
  let inputs = 0
  const insertObservation = db.prepare("INSERT INTO observations (id, asset_key, partition_key, data_version, observed_at) VALUES (?, ?, ?, ?, ?)")
  const currentObservation = db.prepare("INSERT INTO current_observations (asset_key, partition_key, observation_id) VALUES (?, ?, ?)")
  const insertMaterialization = db.prepare(
    "INSERT INTO materializations (id, run_id, asset_key, partition_key, code_version, data_version, row_count, metadata, started_at, ended_at) VALUES (?, 'rbench', ?, ?, ?, ?, 1, ?, ?, ?)"
  )
  const insertInput = db.prepare("INSERT INTO materialization_inputs (materialization_id, input_asset_key, input_partition_key, data_version, producer_id) VALUES (?, ?, ?, ?, ?)")
  const currentMaterialization = db.prepare("INSERT INTO current_materializations (asset_key, partition_key, materialization_id, published) VALUES (?, ?, ?, 1)")
  db.transaction(() => {
    for (const key of graph.order) {
      const def = graph.get(key)
      for (const p of partitionsOf(def)) {
        const id = `${def._tag === "Source" ? "o" : "m"}-${versionOf(key, p)}`
        if (def._tag === "Source") {
          insertObservation.run(id, key, p ?? "", versionOf(key, p), at)
          currentObservation.run(key, p ?? "", id)
          continue
        }
        insertMaterialization.run(id, key, p ?? "", def.codeVersion, versionOf(key, p), JSON.stringify({ path: `${key}/${p ?? ""}` }), at, at)
        currentMaterialization.run(key, p ?? "", id)
        materializations++
        for (const e of graph.inputs(key)) {
          const up = graph.get(e.upstream)
          const mapped = e.mapping.upstream(p ?? undefined)
          const ups = mapped._tag === "Whole" ? [null] : mapped._tag === "All" ? partitionsOf(up) : mapped.keys
          for (const q of ups) {
            insertInput.run(id, e.upstream, q ?? "", versionOf(e.upstream, q), `${up._tag === "Source" ? "o" : "m"}-${versionOf(e.upstream, q)}`)
            inputs++
          }
        }
      }
    }
  })()
  db.close()
  return { materializations, inputs }
}

/** The floor: the same current rows and their inputs read raw, no decoding into records, no status. */
export const readRaw = (file: string): number => {
  const db = new Database(file, { readonly: true })
  const rows = db
    .prepare("SELECT m.* FROM current_materializations c JOIN materializations m ON m.id = c.materialization_id")
    .raw()
    .all().length
  const inputs = db.prepare("SELECT * FROM materialization_inputs").raw().all().length
  db.close()
  return rows + inputs
}

/**
 * What any runner that keeps a durable record must do per asset, at the least: write its output file and commit
 * one row about it. Returns the milliseconds for `count` assets, in `dir` (created).
 */
export const noopFloor = (dir: string, count: number): number => {
  mkdirSync(dir, { recursive: true })
  const db = new Database(join(dir, "floor.sqlite"))
  db.pragma("journal_mode = WAL")
  db.pragma("synchronous = NORMAL")
  db.exec("CREATE TABLE records (key TEXT PRIMARY KEY, path TEXT NOT NULL, at TEXT NOT NULL)")
  const insert = db.prepare("INSERT INTO records (key, path, at) VALUES (?, ?, ?)")
  const t0 = performance.now()
  for (let i = 0; i < count; i++) {
    const path = join(dir, `n${i}.csv`)
    writeFileSync(path, `n\nn${i}\n`)
    db.transaction(() => insert.run(`n${i}`, path, new Date().toISOString()))()
  }
  const ms = performance.now() - t0
  db.close()
  return ms
}
