import { Args, Command, HelpDoc, Options } from "@effect/cli"
import { Effect, Either } from "effect"
import { parseSelection } from "../../graph/Selection.js"
import { concurrency, from, json, to } from "../options.js"

/** The verb and its id, or a selection's syntax, checked while the arguments are parsed (before the project loads). */
const checkWords = (words: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<string>, HelpDoc.HelpDoc> => {
  const [verb, id] = words
  if (verb === undefined) return Effect.fail(HelpDoc.p("name a selection to backfill, e.g. assets backfill streaming_films --from 2023-01 --to 2023-12"))
  if ((verb === "status" || verb === "cancel" || verb === "resume") && id === undefined) {
    return Effect.fail(HelpDoc.p(`assets backfill ${verb} <id>: name the backfill (assets backfill list shows them)`))
  }
  if (verb === "list" || verb === "status" || verb === "cancel" || verb === "resume") return Effect.succeed(words)
  return Either.match(parseSelection(words.join(",")), { onLeft: (e) => Effect.fail(HelpDoc.p(e.message)), onRight: () => Effect.succeed(words) })
}

const concurrencyOption = concurrency(4, "asset partitions at once in this process")

// The command's definition only; its handler is loaded from backfill.run.ts when the command runs.
/**
 * `assets backfill <selection> --from A --to B`, and `assets backfill list | status <id> | cancel <id> | resume <id>`.
 * One command with a verb argument, since a selection and a verb share the first position.
 */
export const backfillCommand = Command.make(
  "backfill",
  {
    words: Args.text({ name: "selection | list | status <id> | cancel <id> | resume <id>" }).pipe(Args.repeated, Args.mapEffect(checkWords)),
    from,
    to,
    concurrency: concurrencyOption,
    force: Options.boolean("force").pipe(Options.withDescription("re-run partitions even when fresh")),
    detach: Options.boolean("detach").pipe(Options.withDescription("store the backfill and leave it to `assets worker` processes")),
    json
  },
  (args) =>
    Effect.flatMap(Effect.promise(() => import("./backfill.run.js")), (m) => m.backfill(args))
).pipe(Command.withDescription("backfill partitions from --from to --to: persisted, resumable, shared between workers"))
