import { barrels, modules as effectModules } from "./shared/index.js"

/**
 * The modules the bundled `assets` command shares with the project's configuration. The command carries its own
 * Effect and framework code (one file set, loaded fast); a configuration that imported `effect` or `sakila-assets`
 * from node_modules would get second copies, whose services, errors and fibers the command would not know. So
 * the configuration is compiled with these imports pointing here (bin/configLoader.ts). Each module is loaded on
 * first use: a configuration that never names MySQL never loads mysql2.
 */
export const SHARED = Symbol.for("sakila-assets/shared-modules")

export interface SharedModules {
  /** one module, by its import specifier */
  readonly modules: ReadonlyMap<string, () => Promise<object>>
  /** a package's index: the modules it re-exports by name */
  readonly barrels: Readonly<Record<string, ReadonlyArray<string>>>
}

// each a literal import(), so the bundler initializes it on first use
const entries: Record<string, () => Promise<object>> = {
  "sakila-assets": () => import("../entries/index.js"),
  "sakila-assets/duckdb": () => import("../entries/duckdb.js"),
  "sakila-assets/lake-fs": () => import("../entries/lake-fs.js"),
  "sakila-assets/sqlite": () => import("../entries/sqlite.js"),
  "sakila-assets/mysql": () => import("../entries/mysql.js"),
  "sakila-assets/s3": () => import("../entries/s3.js"),
  "sakila-assets/athena": () => import("../entries/athena.js"),
  "sakila-assets/server": () => import("../entries/server.js"),
  "sakila-assets/cli": () => import("../entries/cli.js")
}

const modules = new Map<string, () => Promise<object>>([...Object.entries(entries), ...Object.entries(effectModules)])

export const sharedModules: SharedModules = { modules, barrels }

export const installSharedModules = () => {
  ;(globalThis as Record<symbol, unknown>)[SHARED] = sharedModules
}
