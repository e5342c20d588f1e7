import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { Data } from "effect"
import { importModule } from "../importModule.js"
import type { ProjectDef } from "../project/Project.js"

/** No configuration where the CLI looked, or one that does not export a project: exit code 3. */
export class ProjectNotFound extends Data.TaggedError("ProjectNotFound")<{ readonly message: string }> {}

/**
 * How a configuration file becomes a module. The bundled `assets` command installs one that compiles the
 * configuration so that it shares the command's own Effect and framework modules (bin/configLoader.ts); without
 * one (the framework used from source or from its unbundled build) the file is imported as it is.
 */
export type ConfigImporter = (file: string) => Promise<unknown>

let importer: ConfigImporter = (file) => importModule(pathToFileURL(file).href)

export const setConfigImporter = (f: ConfigImporter) => {
  importer = f
}

/** Imports the project's configuration (`assets.config.ts` in the working directory, or `ASSETS_CONFIG`). */
export const loadProject = async (path = process.env["ASSETS_CONFIG"] ?? "assets.config.ts"): Promise<ProjectDef> => {
  const file = resolve(path)
  if (!existsSync(file)) {
    throw new ProjectNotFound({ message: `no project configuration at ${file}: run assets from the project folder, or set ASSETS_CONFIG to the config file` })
  }
  const mod = (await importer(file)) as { default?: ProjectDef }
  if (mod.default === undefined || mod.default.graph === undefined) {
    throw new ProjectNotFound({ message: `${file} must \`export default defineProject({ ... })\`` })
  }
  return mod.default
}
