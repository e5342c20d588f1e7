import { Args, Command, Options } from "@effect/cli"
import { Effect } from "effect"
import { MAX_DATA_VERSION } from "../../asset/versionLimits.js"
import { json, partition } from "../options.js"

// The command's definition only; its handler is loaded from report.run.ts when the command runs.
export const reportCommand = Command.make(
  "report",
  {
    key: Args.text({ name: "asset" }),
    partition,
    dataVersion: Options.text("data-version").pipe(Options.withDescription(`the version of what the outside job wrote (1 to ${MAX_DATA_VERSION} characters)`)),
    rows: Options.integer("rows").pipe(Options.withDescription("how many rows it wrote"), Options.optional),
    json
  },
  (args) => Effect.flatMap(Effect.promise(() => import("./report.run.js")), (m) => m.report(args))
).pipe(
  Command.withDescription(
    "record a materialization made outside the runtime (a legacy job wrote the output): current at once, with lineage to the inputs as they are now"
  )
)
