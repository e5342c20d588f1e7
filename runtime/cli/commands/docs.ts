import { Args, Command, Options } from "@effect/cli"
import { Effect } from "effect"

// The command's definition only; its handler is loaded from docs.run.ts when the command runs.
export const docsCommand = Command.make(
  "docs",
  {
    erd: Options.boolean("erd").pipe(Options.withDescription("an entity-relation diagram (SVG) of the assets' tables and keys, from their schemas")),
    out: Options.file("out").pipe(Options.withDescription("write it to this file instead of printing it"), Options.optional),
    selection: Args.text({ name: "selection" }).pipe(Args.withDescription("the assets to draw (default: every asset)"), Args.optional)
  },
  (args) => Effect.flatMap(Effect.promise(() => import("./docs.run.js")), (m) => m.docs(args))
).pipe(Command.withDescription("documents of the project: --erd draws its tables and keys as an SVG entity-relation diagram"))
