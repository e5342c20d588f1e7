import { Layer } from "effect"
import { projectLayer, type ProjectDef } from "../runtime/project/Project.js"
import type { ApiAuth } from "./auth.js"
import * as ReadModel from "./readModel.js"
import * as RunLauncher from "./RunLauncher.js"
import * as BackfillLauncher from "./BackfillLauncher.js"
import * as StreamBuffer from "../runtime/ingest/StreamBuffer.js"

/**
 * The API's services over a project: its layer (reads by id cached), its graph, the run launcher, who may call,
 * and the ingest buffers of the sources it declares (`buffer` overrides their settings, e.g. a test's spool).
 */
export const apiLayer = <R>(project: ProjectDef<R>, auth: Layer.Layer<ApiAuth, unknown>, buffer?: Partial<StreamBuffer.BufferSettings>) => {
  const base = Layer.mergeAll(project.layer, projectLayer(project))
  return Layer.mergeAll(RunLauncher.layer, BackfillLauncher.layer, auth, StreamBuffer.layer(buffer)).pipe(Layer.provideMerge(Layer.provideMerge(ReadModel.layer, base)))
}
