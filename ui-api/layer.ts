import { Layer } from "effect"
import { Project, type ProjectDef } from "../runtime/project/Project.js"
import { ApiAuth } from "./auth.js"
import * as RunLauncher from "./RunLauncher.js"

/** The API's services over a project: its layer, its graph, the run launcher, and who may call. */
export const apiLayer = <R>(project: ProjectDef<R>, auth: Layer.Layer<ApiAuth, unknown>) =>
  Layer.mergeAll(RunLauncher.layer, auth).pipe(
    Layer.provideMerge(Layer.mergeAll(project.layer, Layer.succeed(Project, { name: project.name, graph: project.graph })))
  )
