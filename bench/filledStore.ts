import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import Database from "better-sqlite3"
import * as Mysql from "mysql2/promise"
import type { AnyAssetDef } from "../runtime/asset/Asset.js"
import type { AssetGraph } from "../runtime/graph/AssetGraph.js"
import { contextAt } from "../runtime/partitions/PartitionsDefinition.js"
import type { PartitionKey } from "../runtime/partitions/PartitionKey.js"
import { inputsDigest } from "../runtime/status/inputsDigest.js"

/** Where the rows of a filled store go: one call per row, in an order that satisfies every reference. */
interface Sink {
  readonly observation: (id: string, asset: string, partition: string, version: string, at: string) => void
  readonly materialization: (id: string, asset: string, partition: string, codeVersion: string, version: string, metadata: string, at: string, digest: string) => void
  readonly input: (id: string, asset: string, partition: string, version: string, producer: string) => void
}

/**
 * One current, published materialization of every asset partition of the graph and one observation of every
 * source partition, each recording the versions its inputs have: a store in which everything is FRESH, as after a
 * full run.
 */
const storeRows = (graph: AssetGraph, sink: Sink): { readonly materializations: number; readonly inputs: number } => {
  const at = new Date().toISOString()
  const versionOf = (asset: string, p: string | null) => `${asset}@${p ?? ""}`
  const ctx = contextAt()
  const partitionsOf = (def: AnyAssetDef): ReadonlyArray<PartitionKey | null> => (def.partitions ? def.partitions.keys(ctx) : [null])
  let materializations = 0
  let inputs = 0
  for (const key of graph.order) {
    const def = graph.get(key)
    for (const p of partitionsOf(def)) {
      const id = `${def._tag === "Source" ? "o" : "m"}-${versionOf(key, p)}`
      if (def._tag === "Source") {
        sink.observation(id, key, p ?? "", versionOf(key, p), at)
        continue
      }
      const read: Array<{ asset: string; partition: PartitionKey | null; dataVersion: string; producer: string }> = []
      for (const e of graph.inputs(key)) {
        const up = graph.get(e.upstream)
        const mapped = e.mapping.upstream(p ?? undefined, ctx)
        const ups = mapped._tag === "Whole" ? [null] : mapped._tag === "All" ? partitionsOf(up) : mapped.keys
        for (const q of ups) read.push({ asset: e.upstream, partition: q, dataVersion: versionOf(e.upstream, q), producer: `${up._tag === "Source" ? "o" : "m"}-${versionOf(e.upstream, q)}` })
      }
      // the digest of what it read, as the store computes it when the runtime records
      sink.materialization(id, key, p ?? "", def.codeVersion, versionOf(key, p), JSON.stringify({ path: `${key}/${p ?? ""}` }), at, inputsDigest(read))
      materializations++
      for (const i of read) sink.input(id, i.asset, i.partition ?? "", i.dataVersion, i.producer)
      inputs += read.length
    }
  }
  return { materializations, inputs }
}

/**
 * Fills a migrated SQLite event store (storeRows), straight through better-sqlite3 in one transaction, so filling
 * a million rows takes seconds, not the minutes the store's own inserts would.
 */
export const fillStore = (file: string, graph: AssetGraph): { readonly materializations: number; readonly inputs: number } => {
  const db = new Database(file)
  const insertObservation = db.prepare("INSERT INTO observations (id, asset_key, partition_key, data_version, observed_at) VALUES (?, ?, ?, ?, ?)")
  const currentObservation = db.prepare("INSERT INTO current_observations (asset_key, partition_key, observation_id) VALUES (?, ?, ?)")
  const insertMaterialization = db.prepare(
    "INSERT INTO materializations (id, run_id, asset_key, partition_key, code_version, data_version, row_count, metadata, started_at, ended_at, inputs_digest) VALUES (?, 'rbench', ?, ?, ?, ?, 1, ?, ?, ?, ?)"
  )
  const insertInput = db.prepare("INSERT INTO materialization_inputs (materialization_id, input_asset_key, input_partition_key, data_version, producer_id) VALUES (?, ?, ?, ?, ?)")
  const currentMaterialization = db.prepare("INSERT INTO current_materializations (asset_key, partition_key, materialization_id, published) VALUES (?, ?, ?, 1)")
  const counts = db.transaction(() =>
    storeRows(graph, {
      observation: (id, asset, p, version, at) => {
        insertObservation.run(id, asset, p, version, at)
        currentObservation.run(asset, p, id)
      },
      materialization: (id, asset, p, code, version, metadata, at, digest) => {
        insertMaterialization.run(id, asset, p, code, version, metadata, at, at, digest)
        currentMaterialization.run(asset, p, id)
      },
      input: (id, asset, p, version, producer) => insertInput.run(id, asset, p, version, producer)
    })
  )()
  db.close()
  return counts
}

/** The same rows into a migrated MySQL (MariaDB) event store, in multi-row inserts of a few thousand rows. */
export const fillMysqlStore = async (url: string, graph: AssetGraph): Promise<{ readonly materializations: number; readonly inputs: number }> => {
  const conn = await Mysql.createConnection({ uri: url })
  const tables = {
    observations: { sql: "INSERT INTO observations (id, asset_key, partition_key, data_version, observed_at) VALUES ?", rows: [] as Array<Array<unknown>> },
    current_observations: { sql: "INSERT INTO current_observations (asset_key, partition_key, observation_id) VALUES ?", rows: [] as Array<Array<unknown>> },
    materializations: {
      sql: "INSERT INTO materializations (id, run_id, asset_key, partition_key, code_version, data_version, row_count, metadata, started_at, ended_at, inputs_digest) VALUES ?",
      rows: [] as Array<Array<unknown>>
    },
    current_materializations: { sql: "INSERT INTO current_materializations (asset_key, partition_key, materialization_id, published) VALUES ?", rows: [] as Array<Array<unknown>> },
    materialization_inputs: {
      sql: "INSERT INTO materialization_inputs (materialization_id, input_asset_key, input_partition_key, data_version, producer_id) VALUES ?",
      rows: [] as Array<Array<unknown>>
    }
  }
  const counts = storeRows(graph, {
    observation: (id, asset, p, version, at) => {
      tables.observations.rows.push([id, asset, p, version, at])
      tables.current_observations.rows.push([asset, p, id])
    },
    materialization: (id, asset, p, code, version, metadata, at, digest) => {
      tables.materializations.rows.push([id, "rbench", asset, p, code, version, 1, metadata, at, at, digest])
      tables.current_materializations.rows.push([asset, p, id, 1])
    },
    input: (id, asset, p, version, producer) => tables.materialization_inputs.rows.push([id, asset, p, version, producer])
  })
  try {
    for (const table of Object.values(tables)) {
      for (let i = 0; i < table.rows.length; i += 5_000) await conn.query(table.sql, [table.rows.slice(i, i + 5_000)])
    }
  } finally {
    await conn.end()
  }
  return counts
}

/** The MySQL floor: the same rows as readRaw, through mysql2 as arrays. */
export const readRawMysql = async (url: string): Promise<number> => {
  const conn = await Mysql.createConnection({ uri: url, rowsAsArray: true })
  try {
    const [rows] = await conn.query("SELECT m.* FROM current_materializations c JOIN materializations m ON m.id = c.materialization_id")
    const [inputs] = await conn.query("SELECT * FROM materialization_inputs")
    return (rows as Array<unknown>).length + (inputs as Array<unknown>).length
  } finally {
    await conn.end()
  }
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
