/**
 * The Sakila project: its assets and the resources they run on. The embedded default (a lake folder, DuckDB,
 * SQLite, a generated Sakila source) needs no server; settings switch parts to the scale-out resources.
 *
 *   ASSETS_LAKE         lake folder (default ./lake), or s3://bucket/prefix (then Athena is the engine)
 *   ASSETS_STATE_DIR    where the SQLite event store lives (default ./.assets)
 *   ASSETS_EVENT_STORE  mysql://user:password@host:3306/database: the shared event store on MySQL instead of SQLite
 *   (and the framework's other settings: docs/resources.md)
 *   SAKILA_MYSQL_URL    mysql://user:password@host:3306/sakila: read the real Sakila from MySQL instead of generating it
 *   SAKILA_FULL_RELOAD  true: extract every table whole, ignoring the incremental bookmarks
 *   SAKILA_SEED         seed of the generated Sakila source (default 42)
 *   ASSETS_STREAM_FEED  none (default: partner streams land from outside) or simulated (the demo: a runner seeds an
 *                       empty landing zone; `npm start` sets it); never with a MySQL source or an S3 lake
 *   ASSETS_STREAM_*     the simulated feed: FROM, TO (YYYY-MM), EVENTS_PER_MONTH, SEED, LATE_FRACTION, MALFORMED_FRACTION
 */
import { join } from "node:path"
import { Config, Effect, Layer, Option } from "effect"
import { acceptRecords, defineProject, fromSettings, streamIngest } from "sakila-assets"
import * as GeneratedSakila from "./assets/generated/GeneratedSakila.js"
import { streamCommand } from "./assets/feed/streamCommand.js"
import * as SimulatedFeed from "./assets/feed/SimulatedFeed.js"
import { sakilaAssets } from "./assets/index.js"
import type { SakilaSource } from "./assets/SakilaSource.js"
import { StreamingFeed } from "./assets/StreamingFeed.js"
import { PartnerEvent } from "./assets/feed/partnerEvent.js"
import { streamingLanding } from "./assets/streaming.js"

const here = import.meta.dirname

/** The real Sakila on MySQL when SAKILA_MYSQL_URL names it (mysql2 loads only then), else a generated one. */
const sakilaSource: Layer.Layer<SakilaSource, unknown> = Layer.unwrapEffect(
  Effect.gen(function* () {
    if (Option.isNone(yield* Config.option(Config.redacted("SAKILA_MYSQL_URL")))) return GeneratedSakila.layerConfig
    const mysql = yield* Effect.promise(() => import("./assets/mysql/MysqlSakilaSource.js"))
    return mysql.layerConfig
  })
)

/** Partner streams land from outside unless the demo asks for simulated ones, which only the embedded default may. */
const streamingFeed = Layer.unwrapEffect(
  Effect.gen(function* () {
    const feed = yield* Config.withDefault(Config.literal("none", "simulated")("ASSETS_STREAM_FEED"), "none")
    if (feed === "none") return SimulatedFeed.external
    const mysql = Option.isSome(yield* Config.option(Config.redacted("SAKILA_MYSQL_URL")))
    const s3 = (yield* Config.withDefault(Config.string("ASSETS_LAKE"), "")).startsWith("s3://")
    if (mysql || s3) {
      return yield* Effect.fail(
        new Error(`ASSETS_STREAM_FEED=simulated is the embedded demo's feed; with ${mysql ? "SAKILA_MYSQL_URL" : "an S3 lake"} partner streams land from outside: unset it`)
      )
    }
    return SimulatedFeed.layerConfig
  })
)

/**
 * Partners put events over `POST /api/streams/streaming_landing/records` (`assets serve`), as into a Firehose:
 * buffered (1 MB or 60 s: ASSETS_INGEST_FLUSH_BYTES, ASSETS_INGEST_FLUSH_INTERVAL) and landed under
 * landing/streaming/YYYY/MM/ of their arrival month; a record that is not a partner event is kept under
 * ingest-errors/streaming_landing/. The spool that makes a batch durable before its answer is .assets/spool
 * (ASSETS_INGEST_SPOOL, or the spool folder under ASSETS_STATE_DIR).
 */
const partnerStreams = streamIngest([acceptRecords(streamingLanding, { schema: PartnerEvent, name: "sakila-stream" })])

export default defineProject({
  name: "sakila",
  assets: sakilaAssets,
  layer: Layer.mergeAll(sakilaSource, streamingFeed, partnerStreams).pipe(
    Layer.provideMerge(fromSettings(sakilaAssets, { lake: join(here, "lake"), state: join(here, ".assets") }))
  ),
  commands: [streamCommand],
  // the demo's simulated feed seeds an empty landing zone before a run; read commands never write
  beforeRun: Effect.flatMap(StreamingFeed, (feed) => feed.prepare)
})
