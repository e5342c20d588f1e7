import { Layer } from "effect"
import { projectLayer, type ProjectDef } from "../runtime/project/Project.js"
import type { ApiAuth } from "./auth.js"
import * as CachedStore from "./cachedStore.js"
import * as RunLauncher from "./RunLauncher.js"

/** The API's services over a project: its layer (reads by id cached), its graph, the run launcher, and who may call. */
export const apiLayer = <R>(project: ProjectDef<R>, auth: Layer.Layer<ApiAuth, unknown>) => {
  const base = Layer.mergeAll(project.layer, projectLayer(project))
  return Layer.mergeAll(RunLauncher.layer, auth).pipe(Layer.provideMerge(Layer.provideMerge(CachedStore.layer, base)))
}
