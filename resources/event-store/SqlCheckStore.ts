import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import type { AssetKey } from "../../runtime/asset/AssetKey.js"
import type { CheckResult } from "../../runtime/checks/CheckResult.js"
import { CheckStore } from "../../runtime/checks/CheckStore.js"
import type { PartitionKey } from "../../runtime/partitions/PartitionKey.js"
import { Count, failingAs, chunks } from "./sqlShared.js"

const ResultRow = Schema.Struct({
  id: Schema.String,
  asset_key: Schema.String,
  partition_key: Schema.String,
  check_name: Schema.String,
  check_version: Schema.String,
  severity: Schema.Literal("error", "warn"),
  blocking: Count,
  status: Schema.Literal("PASSED", "FAILED", "WARNED"),
  materialization_id: Schema.String,
  run_id: Schema.NullOr(Schema.String),
  failing_rows: Schema.NullOr(Count),
  sample: Schema.String,
  message: Schema.String,
  metadata: Schema.String,
  at: Schema.String,
  duration_ms: Count
})

const VersionRow = Schema.Struct({ asset_key: Schema.String, check_name: Schema.String, check_version: Schema.String, n: Count })

const fromRow = (r: typeof ResultRow.Type): CheckResult => ({
  id: r.id,
  asset: r.asset_key as AssetKey,
  partition: (r.partition_key === "" ? null : r.partition_key) as PartitionKey | null,
  check: r.check_name,
  checkVersion: r.check_version,
  severity: r.severity,
  blocking: r.blocking !== 0,
  status: r.status,
  materializationId: r.materialization_id,
  runId: r.run_id,
  failingRows: r.failing_rows,
  sample: JSON.parse(r.sample),
  message: r.message,
  metadata: JSON.parse(r.metadata),
  at: r.at,
  durationMs: r.duration_ms
})

const toRow = (r: CheckResult) => ({
  id: r.id,
  asset_key: r.asset,
  partition_key: r.partition ?? "",
  check_name: r.check,
  check_version: r.checkVersion,
  severity: r.severity,
  blocking: r.blocking ? 1 : 0,
  status: r.status,
  materialization_id: r.materializationId,
  run_id: r.runId,
  failing_rows: r.failingRows,
  sample: JSON.stringify(r.sample),
  message: r.message,
  metadata: JSON.stringify(r.metadata),
  at: r.at,
  duration_ms: Math.round(r.durationMs)
})

/** 16 columns a row: well under SQLite's 32,766 bound parameters */
const BATCH = 500


/**
 * CheckStore on any @effect/sql client, in the event store's database (its migrations made the tables). A
 * materialization's results are one transaction: the history rows, and the latest row of each check replaced.
 */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const wrap = yield* failingAs("check store")
  const decode = Schema.decodeUnknown(Schema.Array(ResultRow))
  const decodeVersions = Schema.decodeUnknown(Schema.Array(VersionRow))

  const upsertLatest = (rows: ReadonlyArray<{ asset_key: string; partition_key: string; check_name: string; result_id: string; status: string; check_version: string }>) =>
    sql.onDialectOrElse({
      mysql: () =>
        sql`INSERT INTO current_check_results ${sql.insert(rows as unknown as Array<Record<string, string>>)} ON DUPLICATE KEY UPDATE
          result_id = VALUES(result_id), status = VALUES(status), check_version = VALUES(check_version)`,
      orElse: () =>
        sql`INSERT INTO current_check_results ${sql.insert(rows as unknown as Array<Record<string, string>>)} ON CONFLICT (asset_key, partition_key, check_name) DO UPDATE SET
          result_id = excluded.result_id, status = excluded.status, check_version = excluded.check_version`
    })

  return CheckStore.of({
    record: (results) =>
      results.length === 0
        ? Effect.void
        : sql
            .withTransaction(
              Effect.forEach(chunks(results, BATCH), (batch) =>
                Effect.zipRight(
                  sql`INSERT INTO check_results ${sql.insert(batch.map(toRow))}`,
                  upsertLatest(
                    batch.map((r) => ({
                      asset_key: r.asset,
                      partition_key: r.partition ?? "",
                      check_name: r.check,
                      result_id: r.id,
                      status: r.status,
                      check_version: r.checkVersion
                    }))
                  )
                )
              )
            )
            .pipe(Effect.asVoid, wrap("recording check results")),
    latest: (assets, options = {}) =>
      Effect.gen(function* () {
        const out: Array<CheckResult> = []
        for (const batch of chunks(assets, BATCH)) {
          const rows = yield* decode(
            yield* sql`SELECT r.* FROM current_check_results c JOIN check_results r ON r.id = c.result_id WHERE ${sql.and([
              ...(options.failing === true ? [sql`c.status IN ('FAILED', 'WARNED')`] : []),
              sql.in("c.asset_key", [...batch] as Array<string>),
              ...(options.partition !== undefined ? [sql`c.partition_key = ${options.partition ?? ""}`] : [])
            ])}`
          )
          // a batch can hold hundreds of thousands of results: no spreading into push's arguments
          for (const row of rows) out.push(fromRow(row))
        }
        return out
      }).pipe(wrap("reading check results")),
    history: ({ asset, partition, before, limit }) =>
      Effect.gen(function* () {
        const where = [
          sql`asset_key = ${asset}`,
          ...(partition !== undefined ? [sql`partition_key = ${partition ?? ""}`] : []),
          ...(before !== undefined ? [sql`materialization_id < ${before}`] : [])
        ]
        const ids = yield* sql<{ materialization_id: string }>`SELECT DISTINCT materialization_id FROM check_results WHERE ${sql.and(where)}
          ORDER BY materialization_id DESC LIMIT ${limit}`
        if (ids.length === 0) return []
        const rows = yield* decode(
          yield* sql`SELECT * FROM check_results WHERE asset_key = ${asset} AND ${sql.in(
            "materialization_id",
            ids.map((r) => r.materialization_id)
          )} ORDER BY materialization_id DESC, id`
        )
        return rows.map(fromRow)
      }).pipe(wrap("reading check history")),
    versions: (assets) =>
      Effect.gen(function* () {
        const out: Array<{ asset: AssetKey; check: string; checkVersion: string; partitions: number }> = []
        for (const batch of chunks(assets, BATCH)) {
          const rows = yield* decodeVersions(
            yield* sql`SELECT asset_key, check_name, check_version, count(*) AS n FROM current_check_results
              WHERE ${sql.in("asset_key", [...batch] as Array<string>)} GROUP BY asset_key, check_name, check_version`
          )
          for (const r of rows) out.push({ asset: r.asset_key as AssetKey, check: r.check_name, checkVersion: r.check_version, partitions: r.n })
        }
        return out
      }).pipe(wrap("reading check versions"))
  })
})
