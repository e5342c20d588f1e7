import * as SqlClient from "@effect/sql/SqlClient"
import * as Migrator from "@effect/sql/Migrator"
import { SqlError } from "@effect/sql/SqlError"
import { Effect, Schedule } from "effect"
import { MAX_CODE_VERSION } from "../../runtime/asset/versionLimits.js"

/** One schema for SQLite and MySQL; only the auto-increment column and the text types differ. */
const init = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const seq = sql.onDialectOrElse({
    mysql: () => sql.literal("BIGINT AUTO_INCREMENT PRIMARY KEY"),
    orElse: () => sql.literal("INTEGER PRIMARY KEY AUTOINCREMENT")
  })
  const key = sql.literal("VARCHAR(191)")
  const text = sql.onDialectOrElse({ mysql: () => sql.literal("MEDIUMTEXT"), orElse: () => sql.literal("TEXT") })
  yield* sql`CREATE TABLE runs (
    id VARCHAR(40) NOT NULL PRIMARY KEY,
    kind VARCHAR(20) NOT NULL,
    selection ${text} NOT NULL,
    status VARCHAR(20) NOT NULL,
    host VARCHAR(255) NOT NULL,
    pid INTEGER NOT NULL,
    started_at VARCHAR(32) NOT NULL,
    ended_at VARCHAR(32) NULL
  )`
  yield* sql`CREATE INDEX runs_status ON runs (status, id)`
  yield* sql`CREATE TABLE run_events (
    seq ${seq},
    run_id VARCHAR(40) NOT NULL,
    at VARCHAR(32) NOT NULL,
    type VARCHAR(32) NOT NULL,
    asset_key ${key} NULL,
    partition_key VARCHAR(16) NULL,
    message ${text} NOT NULL
  )`
  yield* sql`CREATE INDEX run_events_run ON run_events (run_id, seq)`
  yield* sql`CREATE TABLE materializations (
    id VARCHAR(40) NOT NULL PRIMARY KEY,
    run_id VARCHAR(40) NOT NULL,
    asset_key ${key} NOT NULL,
    partition_key VARCHAR(16) NOT NULL,
    code_version VARCHAR(64) NOT NULL,
    data_version VARCHAR(64) NOT NULL,
    row_count BIGINT NOT NULL,
    metadata ${text} NOT NULL,
    started_at VARCHAR(32) NOT NULL,
    ended_at VARCHAR(32) NOT NULL
  )`
  yield* sql`CREATE INDEX materializations_asset ON materializations (asset_key, partition_key, id)`
  yield* sql`CREATE INDEX materializations_asset_id ON materializations (asset_key, id)`
  yield* sql`CREATE TABLE materialization_inputs (
    materialization_id VARCHAR(40) NOT NULL,
    input_asset_key ${key} NOT NULL,
    input_partition_key VARCHAR(16) NOT NULL,
    data_version VARCHAR(64) NOT NULL,
    producer_id VARCHAR(40) NULL
  )`
  yield* sql`CREATE INDEX materialization_inputs_m ON materialization_inputs (materialization_id)`
  yield* sql`CREATE INDEX materialization_inputs_producer ON materialization_inputs (producer_id)`
  yield* sql`CREATE TABLE current_materializations (
    asset_key ${key} NOT NULL,
    partition_key VARCHAR(16) NOT NULL,
    materialization_id VARCHAR(40) NOT NULL,
    PRIMARY KEY (asset_key, partition_key)
  )`
  yield* sql`CREATE TABLE observations (
    id VARCHAR(40) NOT NULL PRIMARY KEY,
    asset_key ${key} NOT NULL,
    partition_key VARCHAR(16) NOT NULL,
    data_version VARCHAR(64) NOT NULL,
    observed_at VARCHAR(32) NOT NULL
  )`
  yield* sql`CREATE TABLE current_observations (
    asset_key ${key} NOT NULL,
    partition_key VARCHAR(16) NOT NULL,
    observation_id VARCHAR(40) NOT NULL,
    PRIMARY KEY (asset_key, partition_key)
  )`
})

/** Backfills with their tasks, and leases on asset partitions. */
const backfills = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const key = sql.literal("VARCHAR(191)")
  const text = sql.onDialectOrElse({ mysql: () => sql.literal("MEDIUMTEXT"), orElse: () => sql.literal("TEXT") })
  yield* sql`CREATE TABLE backfills (
    id VARCHAR(40) NOT NULL PRIMARY KEY,
    selection ${text} NOT NULL,
    range_from VARCHAR(16) NOT NULL,
    range_to VARCHAR(16) NOT NULL,
    force_run INTEGER NOT NULL,
    status VARCHAR(20) NOT NULL,
    created_at VARCHAR(32) NOT NULL,
    updated_at VARCHAR(32) NOT NULL
  )`
  yield* sql`CREATE TABLE backfill_tasks (
    backfill_id VARCHAR(40) NOT NULL,
    task_id ${key} NOT NULL,
    seq INTEGER NOT NULL,
    asset_key ${key} NOT NULL,
    partition_key VARCHAR(16) NOT NULL,
    depends_on ${text} NOT NULL,
    state VARCHAR(16) NOT NULL,
    attempts INTEGER NOT NULL,
    worker VARCHAR(255) NULL,
    lease_expires_at BIGINT NULL,
    started_at VARCHAR(32) NULL,
    ended_at VARCHAR(32) NULL,
    message ${text} NOT NULL,
    PRIMARY KEY (backfill_id, task_id)
  )`
  yield* sql`CREATE INDEX backfill_tasks_seq ON backfill_tasks (backfill_id, seq)`
  yield* sql`CREATE TABLE leases (
    asset_key ${key} NOT NULL,
    partition_key VARCHAR(16) NOT NULL,
    holder VARCHAR(255) NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (asset_key, partition_key)
  )`
  yield* sql`CREATE INDEX run_events_failures ON run_events (type, asset_key, partition_key)`
})

/**
 * The record as the commit point: a current materialization is unpublished until the lake shows its version at the
 * stable path; runs and backfills beat a heartbeat, so one whose process died is seen as abandoned.
 */
const recordIntegrity = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE current_materializations ADD COLUMN published INTEGER NOT NULL DEFAULT 1`
  yield* sql`CREATE INDEX current_materializations_published ON current_materializations (published)`
  yield* sql`ALTER TABLE runs ADD COLUMN heartbeat_at BIGINT NULL`
  yield* sql`ALTER TABLE backfills ADD COLUMN heartbeat_at BIGINT NULL`
})

/**
 * Check results: every one, and the latest of each check of each asset partition (what status reads: the failing
 * ones by their status, the stale ones by their version).
 */
const checks = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const key = sql.literal("VARCHAR(191)")
  const partition = sql.literal("VARCHAR(160)")
  const text = sql.onDialectOrElse({ mysql: () => sql.literal("MEDIUMTEXT"), orElse: () => sql.literal("TEXT") })
  yield* sql`CREATE TABLE check_results (
    id VARCHAR(40) NOT NULL PRIMARY KEY,
    asset_key ${key} NOT NULL,
    partition_key ${partition} NOT NULL,
    check_name VARCHAR(120) NOT NULL,
    check_version VARCHAR(64) NOT NULL,
    severity VARCHAR(8) NOT NULL,
    blocking INTEGER NOT NULL,
    status VARCHAR(8) NOT NULL,
    materialization_id VARCHAR(40) NOT NULL,
    run_id VARCHAR(40) NULL,
    failing_rows BIGINT NULL,
    sample ${text} NOT NULL,
    message ${text} NOT NULL,
    metadata ${text} NOT NULL,
    at VARCHAR(32) NOT NULL,
    duration_ms INTEGER NOT NULL
  )`
  yield* sql`CREATE INDEX check_results_asset ON check_results (asset_key, partition_key, materialization_id)`
  yield* sql`CREATE INDEX check_results_asset_m ON check_results (asset_key, materialization_id)`
  yield* sql`CREATE TABLE current_check_results (
    asset_key ${key} NOT NULL,
    partition_key ${partition} NOT NULL,
    check_name VARCHAR(120) NOT NULL,
    result_id VARCHAR(40) NOT NULL,
    status VARCHAR(8) NOT NULL,
    check_version VARCHAR(64) NOT NULL,
    PRIMARY KEY (asset_key, partition_key, check_name)
  )`
  yield* sql`CREATE INDEX current_check_results_status ON current_check_results (status, asset_key)`
  // status counts the latest results by version from this index alone, not from the table
  yield* sql`CREATE INDEX current_check_results_version ON current_check_results (asset_key, check_name, check_version)`
})

/**
 * Partition keys beyond months: a day, an hour, a static key, `2023-08|europe` need more than 16 characters
 * (SQLite ignores declared lengths; MySQL widens); dynamic partitions' keys by definition name.
 */
const partitionKinds = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const widen = (table: string, column: string, nullable: boolean) =>
    sql.onDialectOrElse({
      mysql: () => sql`ALTER TABLE ${sql(table)} MODIFY ${sql(column)} VARCHAR(160) ${sql.literal(nullable ? "NULL" : "NOT NULL")}`,
      orElse: () => Effect.void
    })
  yield* widen("run_events", "partition_key", true)
  yield* widen("materializations", "partition_key", false)
  yield* widen("materialization_inputs", "input_partition_key", false)
  yield* widen("current_materializations", "partition_key", false)
  yield* widen("observations", "partition_key", false)
  yield* widen("current_observations", "partition_key", false)
  yield* widen("backfills", "range_from", false)
  yield* widen("backfills", "range_to", false)
  yield* widen("backfill_tasks", "partition_key", false)
  yield* widen("leases", "partition_key", false)
  yield* sql`CREATE TABLE dynamic_partitions (
    name VARCHAR(64) NOT NULL,
    partition_key VARCHAR(160) NOT NULL,
    seq BIGINT NOT NULL,
    added_at VARCHAR(32) NOT NULL,
    PRIMARY KEY (name, partition_key)
  )`
})

/** The automation daemon's ticks and, per tick, what it decided for each asset partition and why. */
const automationTicks = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const key = sql.literal("VARCHAR(191)")
  const text = sql.onDialectOrElse({ mysql: () => sql.literal("MEDIUMTEXT"), orElse: () => sql.literal("TEXT") })
  yield* sql`CREATE TABLE automation_ticks (
    id VARCHAR(40) NOT NULL PRIMARY KEY,
    daemon VARCHAR(255) NOT NULL,
    started_at VARCHAR(32) NOT NULL,
    ended_at VARCHAR(32) NOT NULL,
    status VARCHAR(16) NOT NULL,
    message ${text} NOT NULL,
    run_ids ${text} NOT NULL
  )`
  yield* sql`CREATE TABLE automation_decisions (
    tick_id VARCHAR(40) NOT NULL,
    seq INTEGER NOT NULL,
    asset_key ${key} NOT NULL,
    partition_key VARCHAR(160) NULL,
    decision VARCHAR(16) NOT NULL,
    reason ${text} NOT NULL,
    run_id VARCHAR(40) NULL,
    PRIMARY KEY (tick_id, seq)
  )`
  yield* sql`CREATE INDEX automation_decisions_asset ON automation_decisions (asset_key, tick_id)`
})

/**
 * What `assets status` keeps between runs: each asset's generation, moved in the transaction of every record that
 * changes its current materializations, each asset's statuses with the fingerprint they were computed under, and
 * with each record the digest of what it read.
 */
const statusCache = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const key = sql.literal("VARCHAR(191)")
  const body = sql.onDialectOrElse({ mysql: () => sql.literal("LONGTEXT"), orElse: () => sql.literal("TEXT") })
  yield* sql`CREATE TABLE asset_generations (
    asset_key ${key} NOT NULL PRIMARY KEY,
    generation BIGINT NOT NULL
  )`
  // what each record read, hashed (runtime/status/inputsDigest.ts); null for the records made before
  yield* sql`ALTER TABLE materializations ADD COLUMN inputs_digest VARCHAR(44) NULL`
  yield* sql`CREATE TABLE status_cache (
    asset_key ${key} NOT NULL PRIMARY KEY,
    fingerprint VARCHAR(64) NOT NULL,
    body ${body} NOT NULL
  )`
})

/**
 * An asset's generation is the sum of its shards' counters, a record moving the shard of its partition: two workers
 * recording partitions of one asset no longer wait on one row, locked through each other's commit (MySQL). The
 * sums start where the single counters were, so the statuses cached under them still hold.
 */
const generationShards = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE asset_generation_shards (
    asset_key ${sql.literal("VARCHAR(191)")} NOT NULL,
    shard INTEGER NOT NULL,
    generation BIGINT NOT NULL,
    PRIMARY KEY (asset_key, shard)
  )`
  yield* sql`INSERT INTO asset_generation_shards (asset_key, shard, generation) SELECT asset_key, 0, generation FROM asset_generations`
  // a runner of the code before would move the old counter, which no status reads any more: it fails instead
  yield* sql`DROP TABLE asset_generations`
})

/**
 * Each record carries what it read in its own row (materializationValues.ts `inputsJson`), so that a history page
 * or lineage level reads one row per record. Records written before stay null and are read from
 * materialization_inputs, which stays what lineage searches by producer and what the row's copy is made from.
 */
const inputsJson = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const text = sql.onDialectOrElse({ mysql: () => sql.literal("MEDIUMTEXT"), orElse: () => sql.literal("TEXT") })
  yield* sql`ALTER TABLE materializations ADD COLUMN inputs_json ${text} NULL`
})

/**
 * A code version is what a project writes (`codeVersion: "raw-csv-2:film:<its columns>"`): on MySQL it outgrew
 * VARCHAR(64), which refused such a record outright (SQLite does not hold a text to its length).
 */
const longCodeVersions = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql.onDialectOrElse({
    mysql: () => sql`ALTER TABLE materializations MODIFY code_version VARCHAR(${sql.literal(String(MAX_CODE_VERSION))}) NOT NULL`,
    orElse: () => Effect.void
  })
})

export const migrations = Migrator.fromRecord({
  "0001_init": init,
  "0002_backfills": backfills,
  "0003_record_integrity": recordIntegrity,
  "0004_checks": checks,
  "0005_partition_kinds": partitionKinds,
  "0006_automation_ticks": automationTicks,
  "0007_status_cache": statusCache,
  "0008_generation_shards": generationShards,
  "0009_inputs_json": inputsJson,
  "0010_long_code_versions": longCodeVersions
})

/** Runs pending migrations; the Migrator's own table records which ran, and locks against concurrent runners. */
const runPending = Migrator.make({})({ loader: migrations, table: "assets_migrations" })

/** What the latest migration made: present once whoever ran the migrations has finished them. */
const schemaReady = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`SELECT heartbeat_at FROM backfills WHERE 1 = 0`
  yield* sql`SELECT published FROM current_materializations WHERE 1 = 0`
  yield* sql`SELECT seq FROM dynamic_partitions WHERE 1 = 0`
  yield* sql`SELECT check_version FROM current_check_results WHERE 1 = 0`
  yield* sql`SELECT run_ids FROM automation_ticks WHERE 1 = 0`
  yield* sql`SELECT fingerprint FROM status_cache WHERE 1 = 0`
  yield* sql`SELECT inputs_digest FROM materializations WHERE 1 = 0`
  yield* sql`SELECT shard FROM asset_generation_shards WHERE 1 = 0`
  yield* sql`SELECT inputs_json FROM materializations WHERE 1 = 0`
  // a widened column has nothing new to select: MySQL says its length
  const widened = yield* sql.onDialectOrElse({
    mysql: () => sql`SELECT 1 AS ok FROM information_schema.columns WHERE table_schema = DATABASE()
      AND table_name = 'materializations' AND column_name = 'code_version' AND character_maximum_length >= ${MAX_CODE_VERSION}`,
    orElse: () => Effect.succeed([{ ok: 1 }])
  })
  if (widened.length === 0) return yield* new SqlError({ cause: undefined, message: "the store's code versions are not widened yet (migration 0010)" })
})

/**
 * Brings the store's tables up to date. When another process holds the migrations (two workers starting on a new
 * MySQL store), the Migrator returns at once without running them: wait, up to a minute, for that process to
 * finish, instead of querying tables that do not exist yet.
 */
export const migrate = runPending.pipe(
  Effect.zipRight(schemaReady.pipe(Effect.retry({ schedule: Schedule.spaced("100 millis"), times: 600 }))),
  Effect.withSpan("EventStore.migrate")
)
