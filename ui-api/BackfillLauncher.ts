import { Context, Effect, FiberSet, Layer } from "effect"
import { runBackfill } from "../runtime/backfill/runBackfill.js"
import type { Project, RuntimeServices } from "../runtime/project/Project.js"

/**
 * Works on stored backfills in the background of the server's runtime (as `assets backfill` does in its process):
 * `run` answers at once. The workers live in a FiberSet of the runtime's scope: disposing the runtime interrupts
 * them, and an interrupted backfill is CANCELED with its unfinished tasks pending, to resume later.
 */
export class BackfillLauncher extends Context.Tag("ui-api/BackfillLauncher")<
  BackfillLauncher,
  { readonly run: (backfillId: string, concurrency: number) => Effect.Effect<void> }
>() {}

export const layer = Layer.scoped(
  BackfillLauncher,
  Effect.gen(function* () {
    const workers = yield* FiberSet.make()
    // the whole context of the project's layer: the assets' computes need its resources too
    const context = yield* Effect.context<Project | RuntimeServices>()
    return BackfillLauncher.of({
      run: (backfillId, concurrency) =>
        FiberSet.run(
          workers,
          runBackfill({ backfillId, concurrency, onInterrupt: "cancel" }).pipe(
            Effect.provide(context),
            Effect.catchAllCause((cause) => Effect.logWarning(`backfill ${backfillId} stopped`, cause))
          ) as Effect.Effect<unknown>
        ).pipe(Effect.asVoid)
    })
  })
)
