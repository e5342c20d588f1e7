import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"

/** This package's folder and manifest. */
export interface OwnPackage {
  readonly root: string
  readonly version: string
  readonly dependencies: Readonly<Record<string, string>>
}

let found: OwnPackage | undefined

/**
 * This package: the nearest package.json named sakila-assets above this file. The same answer from the sources,
 * the library build (dist/) and the command's bundle (dist/cli/), which all live under the package's folder.
 */
export const ownPackage = (): OwnPackage => {
  if (found !== undefined) return found
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json")
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string; dependencies?: Record<string, string> }
      if (pkg.name === "sakila-assets") return (found = { root: dir, version: pkg.version ?? "0.0.0", dependencies: pkg.dependencies ?? {} })
    }
    if (dirname(dir) === dir) throw new Error(`sakila-assets: no package.json of this package above ${import.meta.dirname}`)
  }
}

/** This package's version, as the CLI and the API show it. */
export const frameworkVersion = (): string => ownPackage().version
