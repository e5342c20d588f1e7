import { Args, HelpDoc, Options, ValidationError } from "@effect/cli"
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
export const partition = Options.text("partition").pipe(Options.withDescription("one partition: 2023-08, 2023-08-14, europe, 2023-08|europe"), Options.optional)
export const from = Options.text("from").pipe(Options.withDescription("first partition (a key, or a date, month or year for time partitions)"), Options.optional)
export const to = Options.text("to").pipe(Options.withDescription("last partition (a key, or a date, month or year for time partitions)"), Options.optional)

/** `--concurrency N`, at least 1. */
export const concurrency = (fallback: number, description: string) =>
  Options.integer("concurrency").pipe(
    Options.filterMap((n) => (n >= 1 ? Option.some(n) : Option.none()), "--concurrency must be at least 1"),
    Options.withDefault(fallback),
    Options.withDescription(description)
  )

/** `--exclude X` (repeatable): a selection whose assets are left out. */
export const exclude: Options.Options<ReadonlyArray<string>> = Options.text("exclude").pipe(
  Options.withDescription("leave out what this selection names (key, group:x, tag:x, pattern; repeatable)"),
  Options.repeated,
  Options.mapEffect((texts) =>
    Effect.forEach(texts, (t) =>
      Either.match(parseSelection(t), {
        onLeft: (e) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(`--exclude: ${e.message}`))),
        onRight: () => Effect.succeed(t)
      })
    )
  )
)

/** A selection with `--exclude`s as `-clause`s (a missing selection selects every asset). */
export const withExclusions = (selectionText: string | undefined, excluded: ReadonlyArray<string>): string | undefined =>
  excluded.length === 0
    ? selectionText
    : [selectionText ?? "*", ...excluded.flatMap((e) => e.split(",").map((c) => c.trim()).filter((c) => c !== "").map((c) => `-${c}`))].join(",")
