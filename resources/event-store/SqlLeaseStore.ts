import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { affectedRows, Count, failingAs, chunks } from "./sqlShared.js"
import { LeaseStore } from "../../runtime/lease/LeaseStore.js"


const LeaseRow = Schema.Struct({ asset_key: Schema.String, partition_key: Schema.String, holder: Schema.String, expires_at: Count })

/**
 * LeaseStore on any @effect/sql client: a lease is taken by inserting it, or by an update that only its holder or
 * a taker of an expired lease can make; taken when that matched its row. Each statement is atomic on its own.
 */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const wrap = yield* failingAs("lease store")
  const decode = Schema.decodeUnknown(Schema.Array(LeaseRow))
  const toLease = (r: typeof LeaseRow.Type) => ({ asset: r.asset_key, partition: r.partition_key === "" ? null : r.partition_key, holder: r.holder, expiresAt: r.expires_at })

  return LeaseStore.of({
    acquire: (asset, partition, holder, ttlMs) =>
      Effect.gen(function* () {
        const p = partition ?? ""
        const now = Date.now()
        const row = { asset_key: asset, partition_key: p, holder, expires_at: now + ttlMs }
        const taken = yield* sql.onDialectOrElse({
          // MySQL reports a found row for an update that changed nothing, so it inserts, then updates on its own, and
          // only when the row was there: a lease is usually free, and each write is a commit (a disk flush)
          mysql: () =>
            Effect.flatMap(sql`INSERT IGNORE INTO leases ${sql.insert(row)}`.raw, (inserted) =>
              affectedRows(inserted) === 1
                ? Effect.succeed(inserted)
                : sql`UPDATE leases SET holder = ${holder}, expires_at = ${now + ttlMs}
                WHERE asset_key = ${asset} AND partition_key = ${p} AND (holder = ${holder} OR expires_at < ${now})`.raw
            ),
          // one statement: inserted, or updated where the holder or an expired lease allows; nothing otherwise
          orElse: () =>
            sql`INSERT INTO leases ${sql.insert(row)} ON CONFLICT (asset_key, partition_key)
              DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
              WHERE leases.holder = excluded.holder OR leases.expires_at < ${now}`.raw
        })
        return affectedRows(taken) === 1
      }).pipe(wrap("acquiring a lease")),
    release: (asset, partition, holder) =>
      sql`DELETE FROM leases WHERE asset_key = ${asset} AND partition_key = ${partition ?? ""} AND holder = ${holder}`.pipe(
        Effect.asVoid,
        wrap("releasing a lease")
      ),
    releaseAll: (holder, slots) =>
      Effect.forEach(
        chunks(slots, 200),
        (batch) =>
          sql`DELETE FROM leases WHERE holder = ${holder} AND (${sql.or(
            batch.map((s) => sql`(asset_key = ${s.asset} AND partition_key = ${s.partition ?? ""})`)
          )})`,
        { discard: true }
      ).pipe(wrap("releasing leases")),
    releaseHeldBy: (prefix) =>
      sql`DELETE FROM leases WHERE substr(holder, 1, ${prefix.length}) = ${prefix}`.raw.pipe(Effect.map(affectedRows), wrap("releasing a dead runner's leases")),
    renewAll: (holder, ttlMs) =>
      sql`UPDATE leases SET expires_at = ${Date.now() + ttlMs} WHERE holder = ${holder}`.pipe(Effect.asVoid, wrap("renewing leases")),
    current: (asset, partition) =>
      sql`SELECT * FROM leases WHERE asset_key = ${asset} AND partition_key = ${partition ?? ""} AND expires_at >= ${Date.now()}`.pipe(
        Effect.flatMap(decode),
        Effect.map((rs) => (rs[0] ? toLease(rs[0]) : undefined)),
        wrap("reading a lease")
      ),
    live: (assets) =>
      sql`SELECT * FROM leases WHERE expires_at >= ${Date.now()} ${assets && assets.length > 0 ? sql`AND ${sql.in("asset_key", [...assets])}` : sql``}`.pipe(
        Effect.flatMap(decode),
        Effect.map((rs) => rs.map(toLease)),
        wrap("listing leases")
      )
  })
})
