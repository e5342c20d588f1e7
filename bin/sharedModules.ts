
/**
 * The modules the bundled `assets` command shares with the project's configuration. The command carries its own
 * Effect and framework code (one file set, loaded fast); a configuration that imported `effect` or `sakila-assets`
 * from node_modules would get second copies, whose services, errors and fibers the command would not know. So
 * the configuration is compiled with these imports pointing here (bin/configLoader.ts). Each is loaded on first
 * use: a configuration that never names MySQL never loads mysql2.
 */
import { effectModules } from "./effectModules.js"

export const SHARED = Symbol.for("sakila-assets/shared-modules")

export type SharedModules = ReadonlyMap<string, () => Promise<Record<string, unknown>>>

const modules = new Map<string, () => Promise<Record<string, unknown>>>()
const lazy = (name: string, load: () => Promise<object>) => modules.set(name, load as () => Promise<Record<string, unknown>>)

// the whole of Effect (every module, fast-check included) only when a configuration is compiled
const effect = () => import("effect") as Promise<Record<string, unknown>>
lazy("effect", effect)
for (const name of effectModules) lazy(`effect/${name}`, () => effect().then((ns) => ns[name] as object))

// each a literal import(), so the bundler splits it into a chunk of its own, loaded on first use
lazy("@effect/cli", () => import("@effect/cli"))
lazy("@effect/platform", () => import("@effect/platform"))
lazy("@effect/platform/FileSystem", () => import("@effect/platform/FileSystem"))
lazy("@effect/platform/Path", () => import("@effect/platform/Path"))
lazy("@effect/platform/Command", () => import("@effect/platform/Command"))
lazy("@effect/platform-node/NodeContext", () => import("@effect/platform-node/NodeContext"))
lazy("@effect/sql", () => import("@effect/sql"))
lazy("@effect/sql/SqlClient", () => import("@effect/sql/SqlClient"))
lazy("@effect/sql/SqlConnection", () => import("@effect/sql/SqlConnection"))
lazy("@effect/sql/SqlError", () => import("@effect/sql/SqlError"))
lazy("@effect/sql-mysql2", () => import("@effect/sql-mysql2"))
lazy("@effect/sql-mysql2/MysqlClient", () => import("@effect/sql-mysql2/MysqlClient"))
lazy("@effect/sql-sqlite-node", () => import("@effect/sql-sqlite-node"))
lazy("@effect/sql-sqlite-node/SqliteClient", () => import("@effect/sql-sqlite-node/SqliteClient"))
lazy("@effect/experimental/Reactivity", () => import("@effect/experimental/Reactivity"))

lazy("sakila-assets", () => import("../entries/index.js"))
lazy("sakila-assets/duckdb", () => import("../entries/duckdb.js"))
lazy("sakila-assets/lake-fs", () => import("../entries/lake-fs.js"))
lazy("sakila-assets/sqlite", () => import("../entries/sqlite.js"))
lazy("sakila-assets/mysql", () => import("../entries/mysql.js"))
lazy("sakila-assets/s3", () => import("../entries/s3.js"))
lazy("sakila-assets/athena", () => import("../entries/athena.js"))
lazy("sakila-assets/server", () => import("../entries/server.js"))
lazy("sakila-assets/cli", () => import("../entries/cli.js"))

export const installSharedModules = () => {
  ;(globalThis as Record<symbol, unknown>)[SHARED] = modules
}
