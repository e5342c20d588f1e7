import { Args, Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { concurrency, from, json, to } from "../options.js"

const concurrencyOption = concurrency(4, "asset partitions at once in this process")

// The command's definition only; its handler is loaded from backfill.run.ts when the command runs.
/**
 * `assets backfill <selection> --from A --to B`, and `assets backfill list | status <id> | cancel <id> | resume <id>`.
 * One command with a verb argument, since a selection and a verb share the first position.
 */
export const backfillCommand = Command.make(
  "backfill",
  {
    words: Args.text({ name: "selection | list | status <id> | cancel <id> | resume <id>" }).pipe(Args.repeated),
    from,
    to,
    concurrency: concurrencyOption,
    force: Options.boolean("force").pipe(Options.withDescription("re-run partitions even when fresh")),
    detach: Options.boolean("detach").pipe(Options.withDescription("store the backfill and leave it to `assets worker` processes")),
    json
  },
  (args) =>
    Effect.flatMap(Effect.promise(() => import("./backfill.run.js")), (m) => m.backfill(args))
).pipe(Command.withDescription("backfill monthly partitions: persisted, resumable, shared between workers"))
