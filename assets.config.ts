/**
 * The composition root: the Sakila assets and the resources they run on. The embedded default (a local lake
 * folder, DuckDB, SQLite, a generated Sakila source and simulated partner streams) needs no server; settings
 * and the environment switch parts to the scale-out resources.
 *
 *   ASSETS_LAKE         lake folder (default ./lake)
 *   ASSETS_STATE_DIR    where the SQLite event store lives (default ./.assets)
 *   SAKILA_SEED         seed of the generated Sakila source (default 42)
 *   ASSETS_STREAM_*     the simulated feed: FROM, TO (YYYY-MM), EVENTS_PER_MONTH, SEED, LATE_FRACTION, MALFORMED_FRACTION
 */
import { join, resolve } from "node:path"
import { Config, Effect, Layer } from "effect"
import { sakilaAssets } from "./assets/index.js"
import * as DuckDB from "./resources/duckdb/DuckDB.js"
import * as DuckDBEngine from "./resources/duckdb/DuckDBEngine.js"
import * as SqliteEventStore from "./resources/event-store/SqliteEventStore.js"
import * as LocalLake from "./resources/lake-fs/LocalLake.js"
import * as GeneratedSakila from "./resources/sakila-generated/GeneratedSakila.js"
import * as SimulatedFeed from "./resources/streaming/SimulatedFeed.js"
import { streamCommand } from "./resources/streaming/streamCommand.js"
import { defineProject } from "./runtime/project/Project.js"

const here = import.meta.dirname

const setting = (name: string, fallback: string) => Config.withDefault(Config.string(name), fallback)

const lake = Layer.unwrapEffect(Effect.map(setting("ASSETS_LAKE", join(here, "lake")), (root) => LocalLake.layer(resolve(root))))

const eventStore = Layer.unwrapEffect(
  Effect.map(setting("ASSETS_STATE_DIR", join(here, ".assets")), (dir) => SqliteEventStore.layer(join(resolve(dir), "events.sqlite")))
)

const engine = DuckDBEngine.layer.pipe(Layer.provide(DuckDB.layerConfig))

const resources = Layer.mergeAll(engine, eventStore, GeneratedSakila.layerConfig, SimulatedFeed.layerConfig).pipe(Layer.provideMerge(lake))

export default defineProject({
  name: "sakila",
  assets: sakilaAssets,
  layer: resources,
  commands: [streamCommand]
})
