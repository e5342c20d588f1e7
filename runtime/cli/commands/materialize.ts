import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { concurrency, exclude, from, json, partition, selection, to, withExclusions } from "../options.js"

// The command's definition only; its handler is loaded from materialize.run.ts when the command runs.
export const materializeCommand = Command.make(
  "materialize",
  {
    selection,
    exclude,
    partition,
    from,
    to,
    force: Options.boolean("force").pipe(Options.withDescription("run the selected assets even when fresh")),
    concurrency: concurrency(2, "asset partitions at once"),
    json
  },
  (args) =>
    Effect.flatMap(Effect.promise(() => import("./materialize.run.js")), (m) =>
      m.materialize({ ...args, selection: withExclusions(args.selection, args.exclude)! })
    )
).pipe(Command.withDescription("materialize the selection and whatever upstream of it is missing or stale"))
