import { Console, Duration, Effect } from "effect"
import { BackfillStore } from "../../backfill/BackfillStore.js"
import { runBackfill } from "../../backfill/runBackfill.js"

/** `assets worker`'s handler, loaded when the command runs (worker.ts defines the command). */
export const worker = (args: { readonly concurrency: number; readonly untilIdle: boolean; readonly pollMs: number }) =>
  Effect.gen(function* () {
    const store = yield* BackfillStore
    let ran = 0
    while (true) {
      const running = (yield* store.list(100)).filter((b) => b.status === "RUNNING")
      for (const b of running) {
        const r = yield* runBackfill({ backfillId: b.id, concurrency: args.concurrency, pollMs: 100 })
        ran += r.claimed
        // a task that failed here (a re-validated one included) makes the worker's exit say so
        if (r.failed > 0) process.exitCode = 1
        yield* Console.log(`worker ${r.worker}: backfill ${b.id}: ran ${r.claimed} tasks (${r.done} done, ${r.failed} failed, ${r.remaining} remaining overall)`)
      }
      if (args.untilIdle && (yield* store.list(100)).every((b) => b.status !== "RUNNING")) break
      yield* Effect.sleep(Duration.millis(args.pollMs))
    }
    yield* Console.log(`worker done: ${ran} tasks`)
  }).pipe(
    // Ctrl-C: the tasks under way go back to their backfill, pending, for any worker to take
    Effect.onInterrupt(() => Console.error("\nworker stopped: its unfinished tasks are pending again; another `assets worker` continues them"))
  )
