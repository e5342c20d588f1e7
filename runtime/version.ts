import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"

let version: string | undefined

/** This package's version, from its package.json: the nearest one named sakila-assets above this file (from the
 * sources, the library build and the command's bundle alike). */
export const frameworkVersion = (): string => {
  if (version !== undefined) return version
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json")
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string }
      if (pkg.name === "sakila-assets" && pkg.version !== undefined) return (version = pkg.version)
    }
    if (dirname(dir) === dir) return (version = "0.0.0")
  }
}
