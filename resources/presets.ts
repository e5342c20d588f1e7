/**
 * The resources a project runs on, in one call. Each preset imports its adapters only when its layer is built,
 * so a command that never builds it (`--help`, a usage error) never loads DuckDB, SQLite, the AWS SDK or mysql2.
 *
 *   embedded({ lake, state })   DuckDB over a lake folder, the event store in SQLite under `state`
 *   scaleOut(assets)            S3 lake, Athena engine, the event store on MySQL (shared by several workers)
 *   fromSettings(assets, {...}) either, as ASSETS_LAKE says (a folder, or s3://bucket/prefix)
 *
 * Settings override the folders given here: ASSETS_LAKE, ASSETS_STATE_DIR, ASSETS_ENGINE, ASSETS_EVENT_STORE
 * (mysql://…: the event store on MySQL, in either preset), ASSETS_DUCKDB_*, ASSETS_S3_*, ASSETS_ATHENA_*.
 */
import { join, resolve } from "node:path"
import { Config, Data, Effect, Layer, Option } from "effect"
import type { AnyAssetDef } from "../runtime/asset/Asset.js"
import type { RuntimeServices } from "../runtime/project/Project.js"

export class ResourceSettingsError extends Data.TaggedError("ResourceSettingsError")<{ readonly message: string }> {}

export interface EmbeddedOptions {
  /** the lake folder (default `lake` under the working directory); ASSETS_LAKE overrides it */
  readonly lake?: string
  /** the folder of the SQLite event store (default `.assets`); ASSETS_STATE_DIR overrides it */
  readonly state?: string
}

export interface ScaleOutOptions {
  /** `s3://bucket/prefix`; ASSETS_LAKE overrides it */
  readonly lake?: string
}

const setting = (name: string, fallback: string) => Config.withDefault(Config.string(name), fallback)

/** The event store: MySQL when ASSETS_EVENT_STORE names one, otherwise SQLite under the state folder. */
const eventStore = (state: string | undefined, required: boolean) =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      if (Option.isSome(yield* Config.option(Config.redacted("ASSETS_EVENT_STORE")))) {
        const mysql = yield* Effect.promise(() => import("./event-store/MysqlEventStore.js"))
        return mysql.layerConfig
      }
      if (required) {
        return yield* new ResourceSettingsError({
          message: "the scale-out resources keep their record on MySQL: set ASSETS_EVENT_STORE=mysql://user:password@host:3306/database"
        })
      }
      const dir = yield* setting("ASSETS_STATE_DIR", state ?? ".assets")
      const sqlite = yield* Effect.promise(() => import("./event-store/SqliteEventStore.js"))
      return sqlite.layer(join(resolve(dir), "events.sqlite"))
    })
  )

const localLakeAndDuckDB = (root: string) =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const [duckdb, engine, lake] = yield* Effect.promise(() =>
        Promise.all([import("./duckdb/DuckDB.js"), import("./duckdb/DuckDBEngine.js"), import("./lake-fs/LocalLake.js")])
      )
      return engine.layer.pipe(Layer.provide(duckdb.layerOnFirstUse), Layer.provideMerge(lake.layerConfig(resolve(root))))
    })
  )

const s3LakeAndAthena = (assets: ReadonlyArray<AnyAssetDef>, root: string) =>
  Layer.unwrapEffect(Effect.map(Effect.promise(() => import("./athena/scaleOut.js")), (m) => m.layerConfig(assets, root)))

/** DuckDB over a lake folder, and the event store in SQLite: no server. */
export const embedded = (options: EmbeddedOptions = {}): Layer.Layer<RuntimeServices, unknown> =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const root = yield* setting("ASSETS_LAKE", options.lake ?? "lake")
      if (root.startsWith("s3://")) {
        return yield* new ResourceSettingsError({ message: `ASSETS_LAKE=${root} is on S3: the embedded resources need a folder (use scaleOut or fromSettings)` })
      }
      const engine = yield* setting("ASSETS_ENGINE", "duckdb")
      if (engine !== "duckdb") {
        return yield* new ResourceSettingsError({ message: `ASSETS_ENGINE=${engine} cannot run over the lake folder ${root}: use duckdb with a folder, athena with s3://bucket/prefix` })
      }
      return eventStore(options.state, false).pipe(Layer.provideMerge(localLakeAndDuckDB(root)))
    })
  )

/** The lake on S3 with Athena as the engine, and the event store on MySQL. The assets name Athena's tables. */
export const scaleOut = (assets: ReadonlyArray<AnyAssetDef>, options: ScaleOutOptions = {}): Layer.Layer<RuntimeServices, unknown> =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const root = yield* setting("ASSETS_LAKE", options.lake ?? "")
      if (!root.startsWith("s3://")) {
        return yield* new ResourceSettingsError({ message: `the scale-out resources need ASSETS_LAKE=s3://bucket/prefix${root === "" ? "" : ` (not ${root})`}` })
      }
      const engine = yield* setting("ASSETS_ENGINE", "athena")
      if (engine !== "athena") {
        return yield* new ResourceSettingsError({ message: `ASSETS_ENGINE=${engine} cannot run over the lake ${root}: use athena with s3://bucket/prefix, duckdb with a folder` })
      }
      return eventStore(undefined, true).pipe(Layer.provideMerge(s3LakeAndAthena(assets, root)))
    })
  )

/**
 * The embedded resources, or the scale-out ones when ASSETS_LAKE is `s3://…`: one configuration that runs on a
 * laptop and on AWS. With an S3 lake the event store is SQLite under `state` unless ASSETS_EVENT_STORE names MySQL.
 */
export const fromSettings = (assets: ReadonlyArray<AnyAssetDef>, options: EmbeddedOptions = {}): Layer.Layer<RuntimeServices, unknown> =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const root = yield* setting("ASSETS_LAKE", options.lake ?? "lake")
      if (!root.startsWith("s3://")) return embedded(options)
      const engine = yield* setting("ASSETS_ENGINE", "athena")
      if (engine !== "athena") {
        return yield* new ResourceSettingsError({ message: `ASSETS_ENGINE=${engine} cannot run over the lake ${root}: use athena with s3://bucket/prefix, duckdb with a folder` })
      }
      return eventStore(options.state, false).pipe(Layer.provideMerge(s3LakeAndAthena(assets, root)))
    })
  )
