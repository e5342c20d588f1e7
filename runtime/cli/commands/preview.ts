import { Args, Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { json, partition } from "../options.js"

// The command's definition only; its handler is loaded from preview.run.ts when the command runs.
export const previewCommand = Command.make(
  "preview",
  {
    key: Args.text({ name: "key" }),
    partition,
    limit: Options.integer("limit").pipe(Options.withDefault(20), Options.withDescription("how many rows")),
    rejected: Options.boolean("rejected").pipe(Options.withDescription("the lines the partition rejected, with their reasons, by file and line")),
    json
  },
  (args) =>
    Effect.flatMap(Effect.promise(() => import("./preview.run.js")), (m) => m.preview(args))
).pipe(Command.withDescription("the first rows of an asset (partition)'s current materialization, or with --rejected the lines it rejected"))
