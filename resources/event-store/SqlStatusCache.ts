import * as SqlClient from "@effect/sql/SqlClient"
import { Effect } from "effect"
import type { AssetKey } from "../../runtime/asset/AssetKey.js"
import { StatusCache } from "../../runtime/status/StatusCache.js"
import { rowDecoder } from "./fastRows.js"
import { failingAs, chunks } from "./sqlShared.js"


/**
 * StatusCache on any @effect/sql client: generations bumped by the event store's records (an asset's is the sum of
 * its shards' counters), entries upserted by status.
 */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const wrap = yield* failingAs("status cache")
  const decodeGenerations = rowDecoder("asset_generation_shards", { asset_key: "string", generation: "count" })
  const decodeEntries = rowDecoder("status_cache", { asset_key: "string", fingerprint: "string", body: "string" })

  return StatusCache.of({
    generations: (assets) =>
      Effect.gen(function* () {
        const out = new Map<AssetKey, number>()
        if (assets.length > 1000) {
          // most of a big project: one scan of the table costs less than its lookups
          const wanted = new Set<string>(assets)
          for (const r of yield* decodeGenerations(yield* sql`SELECT asset_key, sum(generation) AS generation FROM asset_generation_shards GROUP BY asset_key`)) {
            if (wanted.has(r.asset_key)) out.set(r.asset_key as AssetKey, r.generation)
          }
          return out as ReadonlyMap<AssetKey, number>
        }
        for (const batch of chunks(assets, 1000)) {
          for (const r of yield* decodeGenerations(yield* sql`SELECT asset_key, sum(generation) AS generation FROM asset_generation_shards WHERE ${sql.in("asset_key", [...batch])} GROUP BY asset_key`)) {
            out.set(r.asset_key as AssetKey, r.generation)
          }
        }
        return out as ReadonlyMap<AssetKey, number>
      }).pipe(wrap("reading asset generations")),
    read: (assets) =>
      Effect.gen(function* () {
        let out: ReadonlyArray<{ asset: AssetKey; fingerprint: string; body: string }> = []
        for (const batch of chunks(assets, 1000)) {
          const rows = yield* decodeEntries(yield* sql`SELECT asset_key, fingerprint, body FROM status_cache WHERE ${sql.in("asset_key", [...batch])}`)
          out = out.concat(rows.map((r) => ({ asset: r.asset_key as AssetKey, fingerprint: r.fingerprint, body: r.body })))
        }
        return out
      }).pipe(wrap("reading cached statuses")),
    write: (entries) =>
      // small batches (a body holds one asset's every partition) in one transaction: on SQLite a commit per batch
      // was most of the write, 94 of them after one asset of 10,000 changed (bench/statusChild.ts)
      Effect.forEach(chunks(entries, 50), (batch) => {
        const rows = batch.map((e) => ({ asset_key: e.asset, fingerprint: e.fingerprint, body: e.body }))
        return sql.onDialectOrElse({
          mysql: () => sql`INSERT INTO status_cache ${sql.insert(rows)} ON DUPLICATE KEY UPDATE fingerprint = VALUES(fingerprint), body = VALUES(body)`,
          orElse: () => sql`INSERT INTO status_cache ${sql.insert(rows)} ON CONFLICT (asset_key) DO UPDATE SET fingerprint = excluded.fingerprint, body = excluded.body`
        })
      }).pipe(sql.withTransaction, Effect.asVoid, wrap("writing cached statuses"))
  })
})
