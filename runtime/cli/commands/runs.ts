import { Args, Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { json } from "../options.js"

// The commands' definitions only; their handlers are loaded from runs.run.ts when a command runs.
const listOptions = {
  status: Options.choice("status", ["STARTED", "SUCCESS", "FAILURE", "CANCELED", "ABANDONED"] as const).pipe(Options.optional),
  limit: Options.integer("limit").pipe(Options.withDefault(20)),
  json
}

const show = Command.make("show", { id: Args.text({ name: "run id" }), json }, (args) =>
  Effect.flatMap(Effect.promise(() => import("./runs.run.js")), (m) => m.show(args))
).pipe(Command.withDescription("one run: its steps with start, duration and outcome, every line of an error"))

/** `assets runs` (the latest runs) and `assets runs show <id>`. */
export const runsCommand = Command.make("runs", listOptions, (args) =>
  Effect.flatMap(Effect.promise(() => import("./runs.run.js")), (m) => m.listRuns(args))
).pipe(
  Command.withDescription("the latest runs, newest first (a run whose process died shows ABANDONED); `runs show <id>` for one"),
  Command.withSubcommands([show])
)
