import { Context, Effect, FiberSet, Layer } from "effect"
import type { Engine } from "../runtime/engine/Engine.js"
import type { EventStore } from "../runtime/events/EventStore.js"
import { newId } from "../runtime/events/ids.js"
import { materialize, type MaterializeRequest } from "../runtime/execute/materialize.js"
import type { Lake } from "../runtime/lake/Lake.js"
import type { Project } from "../runtime/project/Project.js"

export type LaunchRequest = Pick<MaterializeRequest, "selection" | "range" | "force" | "concurrency">

/**
 * Starts materializations in the background of the server's runtime and answers with the run id at once. The
 * runs live in a FiberSet of the runtime's scope: disposing the runtime interrupts them (recorded CANCELED).
 */
export class RunLauncher extends Context.Tag("ui-api/RunLauncher")<
  RunLauncher,
  { readonly start: (request: LaunchRequest) => Effect.Effect<string> }
>() {}

export const layer = Layer.scoped(
  RunLauncher,
  Effect.gen(function* () {
    const runs = yield* FiberSet.make()
    // the whole context of the project's layer: the assets' computes need its resources too
    const context = yield* Effect.context<Project | EventStore | Engine | Lake>()
    return RunLauncher.of({
      start: (request) =>
        Effect.gen(function* () {
          const runId = newId("r")
          yield* FiberSet.run(
            runs,
            materialize({ ...request, runId }).pipe(
              Effect.provide(context),
              Effect.catchAllCause((cause) => Effect.logWarning(`run ${runId} failed`, cause))
            ) as Effect.Effect<void>
          )
          return runId
        })
    })
  })
)
