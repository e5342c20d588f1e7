import { Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { json } from "../options.js"

// The command's definition only; its handler is loaded from ticks.run.ts when the command runs.
/** `assets ticks [--asset X]`: the daemon's latest ticks, with what each decided and why. */
export const ticksCommand = Command.make(
  "ticks",
  {
    asset: Options.text("asset").pipe(Options.optional, Options.withDescription("only the ticks that decided something for this asset, and only its decisions")),
    limit: Options.integer("limit").pipe(Options.withDefault(10)),
    json
  },
  (args) => Effect.flatMap(Effect.promise(() => import("./ticks.run.js")), (m) => m.ticks(args))
).pipe(Command.withDescription("the automation daemon's latest ticks, newest first: what it decided for each asset partition and why"))
