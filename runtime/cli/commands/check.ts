import { Command } from "@effect/cli"
import { Effect } from "effect"
import { from, json, partition, selection, to } from "../options.js"

// The command's definition only; its handler is loaded from check.run.ts when the command runs.
export const checkCommand = Command.make("check", { selection, partition, from, to, json }, (args) =>
  Effect.flatMap(Effect.promise(() => import("./check.run.js")), (m) => m.check(args))
).pipe(Command.withDescription("run the selection's checks over its current outputs, without materializing; exit 1 when an error-severity check fails"))
