import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { pathToFileURL } from "node:url"
import type { ProjectDef } from "../project/Project.js"

/** Imports the project's configuration (`assets.config.ts` in the working directory, or `ASSETS_CONFIG`). */
export const loadProject = async (path = process.env["ASSETS_CONFIG"] ?? "assets.config.ts"): Promise<ProjectDef> => {
  const file = resolve(path)
  if (!existsSync(file)) {
    throw new Error(`no project configuration at ${file}: run assets from the project folder, or set ASSETS_CONFIG to the config file`)
  }
  const mod = (await import(pathToFileURL(file).href)) as { default?: ProjectDef }
  if (mod.default === undefined || mod.default.graph === undefined) {
    throw new Error(`${file} must \`export default defineProject({ ... })\``)
  }
  return mod.default
}
