import { Command } from "@effect/cli"
import { Effect } from "effect"
import { json } from "../options.js"

// The command's definition only (what --help and argument parsing need); its handler, with the runtime it uses,
// is loaded from list.run.ts when the command runs.
export const listCommand = Command.make("list", { json }, (args) =>
  Effect.flatMap(Effect.promise(() => import("./list.run.js")), (m) => m.list(args))
).pipe(Command.withDescription("every asset in dependency order with its inputs"))
