import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { concurrency } from "../options.js"

// The command's definition only; its handler is loaded from daemon.run.ts when the command runs.
export const daemonOptions = {
  interval: Options.text("interval").pipe(Options.optional, Options.withDescription("time between ticks, e.g. 10s (default ASSETS_DAEMON_INTERVAL, 30s)")),
  budget: Options.text("tick-budget").pipe(Options.optional, Options.withDescription("the longest a tick's evaluation may take (default the interval)")),
  concurrency: concurrency(2, "asset partitions at once in each run it launches")
}

/** `assets daemon`: evaluates the assets' automation conditions every tick and launches what they decide. */
export const daemonCommand = Command.make(
  "daemon",
  { ...daemonOptions, once: Options.boolean("once").pipe(Options.withDescription("one tick, wait for the run it launched, and exit")) },
  (args) => Effect.flatMap(Effect.promise(() => import("./daemon.run.js")), (m) => m.daemon(args))
).pipe(Command.withDescription("evaluate the assets' automation conditions (eager, onCron, onMissing) in ticks and launch the runs they decide; records why"))
