import { Args, Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { json, partition } from "../options.js"

// The command's definition only; its handler is loaded from lineage.run.ts when the command runs.
export const lineageCommand = Command.make(
  "lineage",
  {
    key: Args.text({ name: "key" }),
    partition,
    downstream: Options.boolean("downstream").pipe(Options.withDescription("what read it, instead of what it read")),
    depth: Options.integer("depth").pipe(Options.withDefault(10)),
    json
  },
  (args) =>
    Effect.flatMap(Effect.promise(() => import("./lineage.run.js")), (m) => m.lineage(args))
).pipe(Command.withDescription("which upstream versions produced an asset partition (or, --downstream, what read it)"))
