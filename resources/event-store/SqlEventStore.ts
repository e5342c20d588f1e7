import * as SqlClient from "@effect/sql/SqlClient"
import { Effect, Schema } from "effect"
import { EventStore, type CurrentRecord } from "../../runtime/events/EventStore.js"
import type { AssetKey } from "../../runtime/asset/AssetKey.js"
import type { Failure, NewRunEvent } from "../../runtime/events/records.js"
import type { PartitionKey } from "../../runtime/partitions/PartitionKey.js"
import { migrate } from "./migrations.js"
import { inputsDigest } from "../../runtime/status/inputsDigest.js"
import { rowDecoder } from "./fastRows.js"
import { materializationReads } from "./materializationReads.js"
import { currentRecordColumns, inputsJson, recordsFrom } from "./materializationValues.js"
import { inOneTransaction } from "./inOneTransaction.js"
import { affectedRows, failingAs, chunks } from "./sqlShared.js"
import {
  ObservationRow,
  observationFromRow,
  RunEventRow,
  runEventFromRow,
  RunRow,
  runFromRow
} from "./rows.js"

/** how many counters an asset's generation is kept in (the records of its partitions spread over them) */
const GENERATION_SHARDS = 16

/** a partition's generation counter: a hash of its key (FNV-1a) */
const generationShard = (partition: string | null): number => {
  let h = 0x811c9dc5
  for (const c of partition ?? "") h = Math.imul(h ^ c.charCodeAt(0), 0x01000193)
  return (h >>> 0) % GENERATION_SHARDS
}

const BATCH = 500


/**
 * The event store on any `@effect/sql` client (SQLite embedded, MySQL shared). Migrations run when the layer is
 * built. Writes are batched; the current materialization of each asset partition is kept in its own table so
 * status reads do not grow with history.
 */
export const make = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* migrate
  const wrap = yield* failingAs("event store")

  const decodeRuns = Schema.decodeUnknown(Schema.Array(RunRow))
  // observations (one per source partition, every status) are checked with a light decoder: the column types of
  // ObservationRow in rows.ts, at a fraction of its cost
  const decodeObservations = rowDecoder("observations", {
    id: "string",
    asset_key: "string",
    partition_key: "string",
    data_version: "string",
    observed_at: "string"
  }) satisfies (rows: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<typeof ObservationRow.Type>, unknown>
  const decodeEvents = Schema.decodeUnknown(Schema.Array(RunEventRow))
  const decodeDynamic = Schema.decodeUnknown(
    Schema.Array(Schema.Struct({ name: Schema.String, partition_key: Schema.String, seq: Schema.Union(Schema.Number, Schema.NumberFromString) }))
  )

  const upsertCurrent = (table: "current_materializations" | "current_observations", columns: ReadonlyArray<string>, rows: ReadonlyArray<Record<string, string | number>>) =>
    sql.onDialectOrElse({
      mysql: () =>
        sql`INSERT INTO ${sql(table)} ${sql.insert(rows as Array<Record<string, string>>)} ON DUPLICATE KEY UPDATE ${sql.literal(
          columns.map((c) => `${c} = VALUES(${c})`).join(", ")
        )}`,
      orElse: () =>
        sql`INSERT INTO ${sql(table)} ${sql.insert(rows as Array<Record<string, string>>)} ON CONFLICT (asset_key, partition_key) DO UPDATE SET ${sql.literal(
          columns.map((c) => `${c} = excluded.${c}`).join(", ")
        )}`
    })

  // the asset's current records changed: statuses cached under its older generation no longer apply. The
  // generation is the sum of GENERATION_SHARDS counters, a record moving its partition's (migration 0008)
  const bumpGeneration = (asset: string, partition: string | null) => {
    const shard = generationShard(partition)
    return sql.onDialectOrElse({
      mysql: () => sql`INSERT INTO asset_generation_shards (asset_key, shard, generation) VALUES (${asset}, ${shard}, 1) ON DUPLICATE KEY UPDATE generation = generation + 1`,
      orElse: () =>
        sql`INSERT INTO asset_generation_shards (asset_key, shard, generation) VALUES (${asset}, ${shard}, 1) ON CONFLICT (asset_key, shard) DO UPDATE SET generation = generation + 1`
    })
  }

  const eventsInsert = (batch: ReadonlyArray<NewRunEvent>) =>
    sql`INSERT INTO run_events ${sql.insert(
      batch.map((e) => ({ run_id: e.runId, at: e.at, type: e.type, asset_key: e.asset, partition_key: e.partition, message: e.message }))
    )}`
  const insertEvents = (events: ReadonlyArray<NewRunEvent>) => Effect.forEach(chunks(events, BATCH), eventsInsert, { discard: true })

  // the reads of every API request and of every task run: prepared statements on SQLite (materializationReads.ts)
  const reads = yield* materializationReads

  return EventStore.of({
    startRun: (run) =>
      sql`INSERT INTO runs ${sql.insert({
        id: run.id,
        kind: run.kind,
        selection: run.selection,
        status: run.status,
        host: run.host,
        pid: run.pid,
        started_at: run.startedAt,
        ended_at: run.endedAt,
        heartbeat_at: run.heartbeatAt ?? Date.now()
      })}`.pipe(Effect.asVoid, wrap("starting a run")),
    // a run seen as abandoned (its beat was late) that ends by itself after all says how it ended
    endRun: (id, status) =>
      sql`UPDATE runs SET status = ${status}, ended_at = ${new Date().toISOString()}
          WHERE id = ${id} AND (status = 'STARTED' OR (status = 'ABANDONED' AND ${status} <> 'ABANDONED'))`.raw.pipe(
        Effect.map((raw) => affectedRows(raw) === 1),
        wrap("ending a run")
      ),
    beatRuns: (ids, at) =>
      ids.length === 0
        ? Effect.void
        : sql`UPDATE runs SET heartbeat_at = ${at} WHERE ${sql.in("id", [...ids])} AND status = 'STARTED'`.pipe(Effect.asVoid, wrap("beating runs' heartbeat")),
    runs: ({ status, before, limit }) =>
      sql`SELECT * FROM runs WHERE ${sql.and([
        ...(status ? [sql`status = ${status}`] : []),
        ...(before ? [sql`id < ${before}`] : [])
      ])} ORDER BY id DESC LIMIT ${limit}`.pipe(Effect.flatMap(decodeRuns), Effect.map((rs) => rs.map(runFromRow)), wrap("listing runs")),
    run: (id) =>
      sql`SELECT * FROM runs WHERE id = ${id}`.pipe(
        Effect.flatMap(decodeRuns),
        Effect.map((rs) => (rs[0] ? runFromRow(rs[0]) : undefined)),
        wrap("reading a run")
      ),
    appendEvents: (events) => insertEvents(events).pipe(wrap("appending run events")),
    runEvents: (runId, afterSeq) =>
      sql`SELECT * FROM run_events WHERE run_id = ${runId} AND seq > ${afterSeq ?? 0} ORDER BY seq`.pipe(
        Effect.flatMap(decodeEvents),
        Effect.map((rs) => rs.map(runEventFromRow)),
        wrap("reading run events")
      ),
    recordMaterialization: (m, events = []) =>
      Effect.suspend(() => {
        const statements = [
          sql`INSERT INTO materializations ${sql.insert({
            id: m.id,
            run_id: m.runId,
            asset_key: m.asset,
            partition_key: m.partition ?? "",
            code_version: m.codeVersion,
            data_version: m.dataVersion,
            row_count: m.rowCount,
            metadata: JSON.stringify(m.metadata),
            started_at: m.startedAt,
            ended_at: m.endedAt,
            inputs_digest: inputsDigest(m.inputs),
            inputs_json: inputsJson(m.inputs)
          })}`,
          ...chunks(m.inputs, BATCH).map(
            (batch) =>
              sql`INSERT INTO materialization_inputs ${sql.insert(
                batch.map((i) => ({
                  materialization_id: m.id,
                  input_asset_key: i.asset,
                  input_partition_key: i.partition ?? "",
                  data_version: i.dataVersion,
                  producer_id: i.producerId
                }))
              )}`
          ),
          upsertCurrent("current_materializations", ["materialization_id", "published"], [
            { asset_key: m.asset, partition_key: m.partition ?? "", materialization_id: m.id, published: 0 }
          ]),
          ...chunks(events, BATCH).map(eventsInsert),
          // last: on MySQL the shard's row stays locked until the commit, and the records of the asset's partitions
          // in that shard (other workers' too) update that one row
          bumpGeneration(m.asset, m.partition)
        ]
        return inOneTransaction(sql, statements)
      }).pipe(Effect.asVoid, wrap("recording a materialization")),
    markPublished: (ms) =>
      Effect.suspend(() => {
        const statements = ms.map(
          (m) => sql`UPDATE current_materializations SET published = 1
            WHERE asset_key = ${m.asset} AND partition_key = ${m.partition ?? ""} AND materialization_id = ${m.id}`
        )
        // a run's batch in one transaction (one commit)
        return inOneTransaction(sql, statements)
      }).pipe(Effect.asVoid, wrap("marking materializations published")),
    unpublished: reads.unpublished.pipe(wrap("reading unpublished materializations")),
    currentMaterializations: (assets) =>
      (assets !== undefined && assets.length === 0 ? Effect.succeed([]) : reads.current(assets)).pipe(wrap("reading current materializations")),
    currentRecords: (assets) =>
      Effect.gen(function* () {
        const out: Array<CurrentRecord> = []
        // a hundred assets a query: SQLite read the same rows with half the CPU as with a thousand
        for (const batch of chunks(assets, 100)) {
          const records = yield* recordsFrom(
            yield* sql`SELECT ${sql.literal(currentRecordColumns)} FROM current_materializations c JOIN materializations m ON m.id = c.materialization_id
              WHERE ${sql.in("c.asset_key", [...batch] as Array<string>)}`.values
          )
          for (const r of records) out.push(r)
        }
        return out
      }).pipe(wrap("reading current records")),
    // read before every task run: each record one row, with the inputs it carries (materializationReads.ts)
    currentMaterializationsOf: (slots) => (slots.length === 0 ? Effect.succeed([]) : reads.currentOf(slots)).pipe(wrap("reading current materializations")),
    materializations: (query) => reads.page(query).pipe(wrap("listing materializations")),
    latestMaterializationId: sql<{ id: string | null }>`SELECT max(id) AS id FROM materializations`.pipe(
      Effect.map((rows) => rows[0]?.id ?? null),
      wrap("reading the newest materialization")
    ),
    materialization: (id) => reads.byIds([id]).pipe(Effect.map(([m]) => m), wrap("reading a materialization")),
    materializationsById: (ids) => reads.byIds(ids).pipe(wrap("reading materializations")),
    consumers: (producerId) => reads.consumersByProducer([producerId]).pipe(Effect.map((byProducer) => byProducer.get(producerId) ?? []), wrap("reading lineage")),
    consumersOf: (producerIds) => reads.consumersByProducer(producerIds).pipe(wrap("reading lineage")),
    failures: (assets) =>
      Effect.gen(function* () {
        if (assets.length === 0) return []
        // the latest failure of each asset partition, then whether a success or a fresh check came after it
        const failed = yield* sql<{ asset_key: string; partition_key: string | null; seq: number | string }>`SELECT asset_key, partition_key, max(seq) AS seq
          FROM run_events WHERE type = 'STEP_FAILURE' AND ${sql.in("asset_key", [...assets] as Array<string>)} GROUP BY asset_key, partition_key`
        if (failed.length === 0) return []
        const later = new Map<string, number>()
        const failedAssets = [...new Set(failed.map((f) => f.asset_key))]
        for (const batch of chunks(failedAssets, BATCH)) {
          const rows = yield* sql<{ asset_key: string; partition_key: string | null; seq: number | string }>`SELECT asset_key, partition_key, max(seq) AS seq
            FROM run_events WHERE type IN ('STEP_SUCCESS', 'STEP_SKIPPED_FRESH', 'PUBLISHED') AND ${sql.in("asset_key", [...batch])} GROUP BY asset_key, partition_key`
          for (const r of rows) later.set(`${r.asset_key}\u0000${r.partition_key ?? ""}`, Number(r.seq))
        }
        const open = failed.filter((f) => (later.get(`${f.asset_key}\u0000${f.partition_key ?? ""}`) ?? -1) < Number(f.seq))
        const out: Array<Failure> = []
        for (const batch of chunks(open.map((f) => Number(f.seq)))) {
          const events = yield* decodeEvents(yield* sql`SELECT * FROM run_events WHERE ${sql.in("seq", [...batch])}`)
          for (const e of events) {
            out.push({ asset: e.asset_key as AssetKey, partition: (e.partition_key || null) as PartitionKey | null, at: e.at, runId: e.run_id, message: e.message })
          }
        }
        return out
      }).pipe(wrap("reading failures")),
    recordObservations: (observations) =>
      Effect.gen(function* () {
        if (observations.length === 0) return
        const keys = [...new Set(observations.map((o) => o.asset as string))]
        const current = yield* decodeObservations(
          yield* sql`SELECT o.* FROM current_observations c JOIN observations o ON o.id = c.observation_id WHERE ${sql.in("c.asset_key", keys)}`
        )
        const known = new Map(current.map((o) => [`${o.asset_key}\u0000${o.partition_key}`, o.data_version]))
        const changed = observations.filter((o) => known.get(`${o.asset}\u0000${o.partition ?? ""}`) !== o.dataVersion)
        // The read stays out of the transaction. On SQLite a transaction that reads and then writes fails at once
        // (SQLITE_BUSY, no waiting) when another process wrote in between, as two runners starting together do; a
        // transaction that only writes waits its turn. Two runners seeing the same change both record it: harmless.
        if (changed.length === 0) return
        yield* sql.withTransaction(
          Effect.forEach(chunks(changed, BATCH), (batch) =>
            Effect.zipRight(
              sql`INSERT INTO observations ${sql.insert(
                batch.map((o) => ({ id: o.id, asset_key: o.asset, partition_key: o.partition ?? "", data_version: o.dataVersion, observed_at: o.observedAt }))
              )}`,
              upsertCurrent(
                "current_observations",
                ["observation_id"],
                batch.map((o) => ({ asset_key: o.asset, partition_key: o.partition ?? "", observation_id: o.id }))
              )
            )
          )
        )
      }).pipe(wrap("recording observations")),
    currentObservations: (assets) =>
      Effect.gen(function* () {
        if (assets !== undefined && assets.length === 0) return []
        const rows = yield* decodeObservations(
          yield* sql`SELECT o.* FROM current_observations c JOIN observations o ON o.id = c.observation_id ${
            assets ? sql`WHERE ${sql.in("c.asset_key", [...assets] as Array<string>)}` : sql``
          }`
        )
        return rows.map(observationFromRow)
      }).pipe(wrap("reading observations")),

    dynamicPartitions: Effect.gen(function* () {
      const rows = yield* decodeDynamic(yield* sql`SELECT name, partition_key, seq FROM dynamic_partitions ORDER BY name, seq, partition_key`)
      const out = new Map<string, Array<string>>()
      for (const r of rows) out.set(r.name, [...(out.get(r.name) ?? []), r.partition_key])
      return out as ReadonlyMap<string, ReadonlyArray<string>>
    }).pipe(wrap("reading dynamic partitions")),

    addDynamicPartitions: (name, keys) =>
      Effect.gen(function* () {
        const wanted = [...new Set(keys)]
        if (wanted.length === 0) return []
        const existing = new Set(
          (yield* decodeDynamic(yield* sql`SELECT name, partition_key, seq FROM dynamic_partitions WHERE name = ${name}`)).map((r) => r.partition_key)
        )
        const fresh = wanted.filter((k) => !existing.has(k))
        if (fresh.length === 0) return []
        const at = new Date().toISOString()
        const [last] = yield* sql<{ readonly seq: number | string | null }>`SELECT MAX(seq) AS seq FROM dynamic_partitions WHERE name = ${name}`
        const base = Number(last?.seq ?? 0) + 1
        // two writers adding the same key: the primary key keeps one, and the other's insert of it is ignored
        const rows = fresh.map((k, i) => ({ name, partition_key: k, seq: base + i, added_at: at }))
        yield* sql.withTransaction(
          Effect.forEach(chunks(rows, BATCH), (batch) =>
            sql.onDialectOrElse({
              mysql: () => sql`INSERT IGNORE INTO dynamic_partitions ${sql.insert(batch)}`,
              orElse: () => sql`INSERT OR IGNORE INTO dynamic_partitions ${sql.insert(batch)}`
            })
          )
        )
        return fresh
      }).pipe(wrap(`adding partitions to ${name}`)),

    removeDynamicPartitions: (name, keys) =>
      Effect.gen(function* () {
        if (keys.length === 0) return []
        const there = (
          yield* decodeDynamic(yield* sql`SELECT name, partition_key, seq FROM dynamic_partitions WHERE name = ${name} AND ${sql.in("partition_key", [...keys])}`)
        ).map((r) => r.partition_key)
        if (there.length > 0) yield* sql`DELETE FROM dynamic_partitions WHERE name = ${name} AND ${sql.in("partition_key", there)}`
        return there
      }).pipe(wrap(`removing partitions from ${name}`))
  })
})
