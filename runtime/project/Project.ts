import type { Command } from "@effect/cli"
import { Context, Effect, Layer } from "effect"
import type { AnyAssetDef, AssetDef, SourceDef } from "../asset/Asset.js"
import type { BackfillStore } from "../backfill/BackfillStore.js"
import type { CheckStore } from "../checks/CheckStore.js"
import type { TickStore } from "../automation/TickStore.js"
import type { Engine } from "../engine/Engine.js"
import type { LeaseStore } from "../lease/LeaseStore.js"
import type { EventStore } from "../events/EventStore.js"
import { buildGraph, type AssetGraph } from "../graph/AssetGraph.js"
import type { Lake } from "../lake/Lake.js"

type RequirementsOf<A> = A extends AssetDef<any, infer R> ? R : A extends SourceDef<infer R> ? R : never

/** The runtime's own services, which every project's layer provides. */
export type RuntimeServices = Engine | Lake | EventStore | BackfillStore | LeaseStore | CheckStore | TickStore

/** A project: its assets (validated into a graph) and the layer that provides what they and the runtime need. */
export interface ProjectDef<R = unknown> {
  readonly name: string
  readonly graph: AssetGraph
  readonly layer: Layer.Layer<RuntimeServices | R, unknown, never>
  /** the project's own CLI commands (e.g. a feed simulator), beside the runtime's */
  readonly commands?: ReadonlyArray<Command.Command<any, any, any, any>>
  /** what a runner (materialize, backfill, worker) does before it plans, e.g. seed a demo; read commands never run it */
  readonly beforeRun?: Effect.Effect<void, unknown, RuntimeServices | R>
}

/** The layer must provide the runtime's services and everything the assets' computes and observations require. */
export const defineProject = <const A extends ReadonlyArray<AnyAssetDef>, B = never>(options: {
  readonly name: string
  readonly assets: A
  readonly layer: Layer.Layer<RuntimeServices | RequirementsOf<A[number]> | B, unknown, never>
  readonly commands?: ReadonlyArray<Command.Command<any, any, any, any>>
  /** may use any service of the layer */
  readonly beforeRun?: Effect.Effect<void, unknown, RuntimeServices | RequirementsOf<A[number]> | B>
}): ProjectDef<RequirementsOf<A[number]> | B> => ({
  name: options.name,
  graph: buildGraph(options.assets),
  layer: options.layer,
  ...(options.commands ? { commands: options.commands } : {}),
  ...(options.beforeRun ? { beforeRun: options.beforeRun } : {})
})

/** The loaded project's name and graph, for commands and the API (never its computes' resources). */
export class Project extends Context.Tag("runtime/Project")<
  Project,
  {
    readonly name: string
    readonly graph: AssetGraph
    /** the project's `beforeRun`, its resources already provided */
    readonly beforeRun?: Effect.Effect<void, unknown>
  }
>() {}

/** The Project service of a loaded project, over the services its layer built (shared, not built twice). */
export const projectLayer = <R>(project: ProjectDef<R>): Layer.Layer<Project, unknown> =>
  Layer.effect(
    Project,
    Effect.map(Effect.context<RuntimeServices | R>(), (services) => ({
      name: project.name,
      graph: project.graph,
      ...(project.beforeRun ? { beforeRun: Effect.provide(project.beforeRun, services) } : {})
    }))
  ).pipe(Layer.provide(project.layer))

/** Runs the project's `beforeRun`, if it has one. */
export const beforeRun = Effect.flatMap(Project, (p) => p.beforeRun ?? Effect.void)
