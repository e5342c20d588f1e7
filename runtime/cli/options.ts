import { Options } from "@effect/cli"
import { Option } from "effect"

// Only @effect/cli and effect here: the commands' definitions import this module, and `assets --help` loads them.
// Checking a month or a selection against the project's graph is in commands/partitionArgs.ts, which the
// handlers load when they run.

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
