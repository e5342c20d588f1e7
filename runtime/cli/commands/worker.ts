import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { concurrency } from "../options.js"

// The command's definition only; its handler is loaded from worker.run.ts when the command runs.
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
    Effect.flatMap(Effect.promise(() => import("./worker.run.js")), (m) => m.worker(args))
).pipe(Command.withDescription("work on running backfills from the shared event store"))
