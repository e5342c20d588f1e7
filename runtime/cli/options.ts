import { Args, HelpDoc, Options } from "@effect/cli"
import { Effect, Either, Option } from "effect"
import { parseSelection } from "../graph/Selection.js"

// Only @effect/cli and effect here: the commands' definitions import this module, and `assets --help` loads them.
// Checking a month or a selection against the project's graph is in commands/partitionArgs.ts, which the
// handlers load when they run.

/** A selection, its syntax checked while the arguments are parsed (naming assets that exist needs the project). */
export const selection = Args.text({ name: "selection" }).pipe(
  Args.withDescription("key, +key (with upstream), key+ (with downstream), N+key, key+N, comma lists"),
  Args.mapEffect((text) =>
    Either.match(parseSelection(text), { onLeft: (e) => Effect.fail(HelpDoc.p(e.message)), onRight: () => Effect.succeed(text) })
  )
)

export const json = Options.boolean("json").pipe(Options.withDescription("print JSON for scripts"))
export const partition = Options.text("partition").pipe(Options.withDescription("one month, YYYY-MM"), Options.optional)
export const from = Options.text("from").pipe(Options.withDescription("first month, YYYY-MM"), Options.optional)
export const to = Options.text("to").pipe(Options.withDescription("last month, YYYY-MM"), Options.optional)

/** `--concurrency N`, at least 1. */
export const concurrency = (fallback: number, description: string) =>
  Options.integer("concurrency").pipe(
    Options.filterMap((n) => (n >= 1 ? Option.some(n) : Option.none()), "--concurrency must be at least 1"),
    Options.withDefault(fallback),
    Options.withDescription(description)
  )
