/**
 * The composition root: the Sakila assets and the resources they run on. The embedded default (a local lake
 * folder, DuckDB, SQLite, a generated Sakila source and simulated partner streams) needs no server; settings
 * and the environment switch parts to the scale-out resources.
 *
 *   ASSETS_LAKE         lake folder (default ./lake), or s3://bucket/prefix (then Athena is the engine)
 *   ASSETS_ENGINE       duckdb (folder lake) or athena (S3 lake)
 *   ASSETS_STATE_DIR    where the SQLite event store lives (default ./.assets)
 *   ASSETS_EVENT_STORE  mysql://user:password@host:3306/database: the shared event store on MySQL instead of SQLite
 *   SAKILA_MYSQL_URL    mysql://user:password@host:3306/sakila: read the real Sakila from MySQL instead of generating it
 *   SAKILA_FULL_RELOAD  true: extract every table whole, ignoring the incremental bookmarks
 *   SAKILA_SEED         seed of the generated Sakila source (default 42)
 *   ASSETS_STREAM_FEED  none (default: partner streams land from outside) or simulated (the demo: a runner seeds an
 *                       empty landing zone; `npm start` sets it); never with a MySQL source or an S3 lake
 *   ASSETS_STREAM_*     the simulated feed: FROM, TO (YYYY-MM), EVENTS_PER_MONTH, SEED, LATE_FRACTION, MALFORMED_FRACTION
 */
import { join, resolve } from "node:path"
import { Config, Effect, Layer, Option } from "effect"
import { sakilaAssets } from "./assets/index.js"
import type { SakilaSource } from "./assets/SakilaSource.js"
import { StreamingFeed } from "./assets/StreamingFeed.js"
import * as ScaleOut from "./resources/athena/scaleOut.js"
import * as DuckDB from "./resources/duckdb/DuckDB.js"
import * as DuckDBEngine from "./resources/duckdb/DuckDBEngine.js"
import * as MysqlEventStore from "./resources/event-store/MysqlEventStore.js"
import * as MysqlSakilaSource from "./resources/mysql/MysqlSakilaSource.js"
import * as SqliteEventStore from "./resources/event-store/SqliteEventStore.js"
import * as LocalLake from "./resources/lake-fs/LocalLake.js"
import * as GeneratedSakila from "./resources/sakila-generated/GeneratedSakila.js"
import * as SimulatedFeed from "./resources/streaming/SimulatedFeed.js"
import { streamCommand } from "./resources/streaming/streamCommand.js"
import type { Engine } from "./runtime/engine/Engine.js"
import type { Lake } from "./runtime/lake/Lake.js"
import { defineProject } from "./runtime/project/Project.js"

const here = import.meta.dirname

const setting = (name: string, fallback: string) => Config.withDefault(Config.string(name), fallback)

/**
 * The lake and the engine together: a local folder with DuckDB, or `ASSETS_LAKE=s3://bucket/prefix` with Athena
 * (`ASSETS_ENGINE=athena`, the default for an S3 lake; `ASSETS_S3_*`, `ASSETS_ATHENA_*` in resources/athena).
 */
const lakeAndEngine: Layer.Layer<Lake | Engine, unknown> = Layer.unwrapEffect(
  Effect.gen(function* () {
    const root = yield* setting("ASSETS_LAKE", join(here, "lake"))
    const onS3 = root.startsWith("s3://")
    const engine = yield* setting("ASSETS_ENGINE", onS3 ? "athena" : "duckdb")
    if (onS3 && engine === "athena") return ScaleOut.layerConfig(sakilaAssets, root) as Layer.Layer<Lake | Engine, unknown>
    if (!onS3 && engine === "duckdb") return DuckDBEngine.layer.pipe(Layer.provide(DuckDB.layerConfig), Layer.provideMerge(LocalLake.layerConfig(resolve(root))))
    return yield* Effect.fail(new Error(`ASSETS_ENGINE=${engine} cannot run over the lake ${root}: use duckdb with a folder, athena with s3://bucket/prefix`))
  })
)

const eventStore = Layer.unwrapEffect(
  Effect.gen(function* () {
    if (Option.isSome(yield* Config.option(Config.redacted("ASSETS_EVENT_STORE")))) return MysqlEventStore.layerConfig
    const dir = yield* setting("ASSETS_STATE_DIR", join(here, ".assets"))
    return SqliteEventStore.layer(join(resolve(dir), "events.sqlite"))
  })
)

const sakilaSource = Layer.unwrapEffect(
  Effect.map(Config.option(Config.redacted("SAKILA_MYSQL_URL")), (url) =>
    Option.isSome(url) ? (MysqlSakilaSource.layerConfig as Layer.Layer<SakilaSource, unknown>) : GeneratedSakila.layerConfig
  )
)

/** Partner streams land from outside unless the demo asks for simulated ones, which only the embedded default may. */
const streamingFeed = Layer.unwrapEffect(
  Effect.gen(function* () {
    const feed = yield* Config.withDefault(Config.literal("none", "simulated")("ASSETS_STREAM_FEED"), "none")
    if (feed === "none") return SimulatedFeed.external
    const mysql = Option.isSome(yield* Config.option(Config.redacted("SAKILA_MYSQL_URL")))
    const s3 = (yield* setting("ASSETS_LAKE", "")).startsWith("s3://")
    if (mysql || s3) {
      return yield* Effect.fail(
        new Error(`ASSETS_STREAM_FEED=simulated is the embedded demo's feed; with ${mysql ? "SAKILA_MYSQL_URL" : "an S3 lake"} partner streams land from outside: unset it`)
      )
    }
    return SimulatedFeed.layerConfig
  })
)

const resources = Layer.mergeAll(eventStore, sakilaSource, streamingFeed).pipe(Layer.provideMerge(lakeAndEngine))

export default defineProject({
  name: "sakila",
  assets: sakilaAssets,
  layer: resources,
  commands: [streamCommand],
  // the demo's simulated feed seeds an empty landing zone before a run; read commands never write
  beforeRun: Effect.flatMap(StreamingFeed, (feed) => feed.prepare)
})
