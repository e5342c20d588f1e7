import { Args, Command, Options } from "@effect/cli"
import { Effect } from "effect"

// The command's definition only; its handler is loaded from init.run.ts when the command runs. It never loads a
// project: runCli lists it among the commands that run without one.
export const initCommand = Command.make(
  "init",
  {
    directory: Args.text({ name: "dir" }).pipe(Args.withDescription("the new project's folder: created, or an empty one")),
    packageSpec: Options.text("package").pipe(
      Options.withDescription("how the project depends on sakila-assets (an npm spec, e.g. file:/path/to/sakila-assets-0.2.0.tgz); default ^<this version>"),
      Options.optional
    )
  },
  (args) => Effect.flatMap(Effect.promise(() => import("./init.run.js")), (m) => m.init(args))
).pipe(Command.withDescription("scaffold a new project in <dir>: package.json, assets.config.ts with example assets, README.md, .gitignore"))
