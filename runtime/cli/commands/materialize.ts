import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { concurrency, from, json, partition, selection, to } from "../options.js"

// The command's definition only; its handler is loaded from materialize.run.ts when the command runs.
export const materializeCommand = Command.make(
  "materialize",
  {
    selection,
    partition,
    from,
    to,
    force: Options.boolean("force").pipe(Options.withDescription("run the selected assets even when fresh")),
    concurrency: concurrency(2, "asset partitions at once"),
    json
  },
  (args) =>
    Effect.flatMap(Effect.promise(() => import("./materialize.run.js")), (m) => m.materialize(args))
).pipe(Command.withDescription("materialize the selection and whatever upstream of it is missing or stale"))
