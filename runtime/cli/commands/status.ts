import { Args, Command } from "@effect/cli"
import { Effect } from "effect"
import { json, selection } from "../options.js"

// The command's definition only; its handler is loaded from status.run.ts when the command runs.
export const statusCommand = Command.make(
  "status",
  { selection: selection.pipe(Args.optional), json },
  (args) =>
    Effect.flatMap(Effect.promise(() => import("./status.run.js")), (m) => m.status(args))
).pipe(Command.withDescription("status of each asset and partition (MISSING, STALE, FRESH) with the causes"))
