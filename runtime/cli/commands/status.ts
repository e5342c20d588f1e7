import { Args, Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { Option } from "effect"
import { exclude, json, selection, withExclusions } from "../options.js"

// The command's definition only; its handler is loaded from status.run.ts when the command runs.
export const statusCommand = Command.make(
  "status",
  {
    selection: selection.pipe(Args.optional),
    exclude,
    json,
    why: Options.boolean("why").pipe(Options.withDescription("walk each stale partition's causes to their roots (a code change, a source's new data), each once"))
  },
  (args) =>
    Effect.flatMap(Effect.promise(() => import("./status.run.js")), (m) =>
      m.status({ ...args, selection: Option.fromNullable(withExclusions(Option.getOrUndefined(args.selection), args.exclude)) })
    )
).pipe(Command.withDescription("status of each asset and partition (MISSING, STALE, FRESH) with the causes"))
