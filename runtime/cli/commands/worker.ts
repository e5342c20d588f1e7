import { Command, Options } from "@effect/cli"
import { Console, Duration, Effect } from "effect"
import { BackfillStore } from "../../backfill/BackfillStore.js"
import { runBackfill } from "../../backfill/runBackfill.js"
import { concurrency } from "../options.js"

/**
 * `assets worker`: works on every running backfill in the shared event store, alongside other workers; with
 * --until-idle it stops when no backfill has work left, otherwise it keeps polling for new ones.
 */
export const workerCommand = Command.make(
  "worker",
  {
    concurrency: concurrency(2, "asset partitions at once in this worker"),
    untilIdle: Options.boolean("until-idle").pipe(Options.withDescription("exit when no running backfill has work left")),
    pollMs: Options.integer("poll-ms").pipe(Options.withDefault(1000))
  },
  (args) =>
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
).pipe(Command.withDescription("work on running backfills from the shared event store"))
