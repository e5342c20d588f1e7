import { Command, ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, ConfigError, Console, Data, Effect, Exit, HashSet, Layer } from "effect"
import type { Project, ProjectDef, RuntimeServices } from "../project/Project.js"
import { backfillCommand } from "./commands/backfill.js"
import { daemonCommand } from "./commands/daemon.js"
import { docsCommand } from "./commands/docs.js"
import { ticksCommand } from "./commands/ticks.js"
import { checkCommand } from "./commands/check.js"
import { initCommand } from "./commands/init.js"
import { lineageCommand } from "./commands/lineage.js"
import { listCommand } from "./commands/list.js"
import { materializeCommand } from "./commands/materialize.js"
import { previewCommand } from "./commands/preview.js"
import { partitionsCommand } from "./commands/partitions.js"
import { reportCommand } from "./commands/report.js"
import { runsCommand } from "./commands/runs.js"
import { statusCommand } from "./commands/status.js"
import { workerCommand } from "./commands/worker.js"
import { frameworkVersion } from "../ownPackage.js"
import { loadProject, ProjectNotFound } from "./loadProject.js"

class ResourcesFailed extends Data.TaggedError("ResourcesFailed")<{ readonly message: string }> {}

/** Errors a person can fix: printed as one message, exit code 2. */
const usageErrors = new Set(["SelectionError", "PartitionError", "ReportError"])

type AnyCommand = Command.Command<any, any, any, any>

const builtins: ReadonlyArray<AnyCommand> = [
  listCommand,
  statusCommand,
  materializeCommand,
  checkCommand,
  backfillCommand,
  workerCommand,
  lineageCommand,
  previewCommand,
  runsCommand,
  partitionsCommand,
  reportCommand,
  daemonCommand,
  ticksCommand,
  docsCommand
]

/** Commands that work without a project (they never load one). */
const projectless: ReadonlyArray<AnyCommand> = [initCommand]

const namesOf = (commands: ReadonlyArray<AnyCommand>) => new Set(commands.flatMap((c) => [...HashSet.values(Command.getNames(c))]))

/**
 * The `assets` command. Arguments are parsed before the project loads: `--help`, `--version` and usage errors
 * never import the project's configuration (nor DuckDB, SQLite or the AWS SDK); a command's handler loads it.
 * The runtime's commands, the edge's (`serve`, given by the caller so the runtime never imports the server) and,
 * when the first word is none of those, the project's own (which needs the project loaded to be known).
 */
export const runCli = async (edgeCommands: ReadonlyArray<AnyCommand> = [], options: { readonly version?: string } = {}) => {
  const known = namesOf([...projectless, ...builtins, ...edgeCommands])
  const verb = process.argv.slice(2).find((a) => !a.startsWith("-"))
  const mayBeProjectCommand = verb !== undefined && !known.has(verb)

  let loaded: Promise<ProjectDef> | undefined
  const project = () => (loaded ??= loadProject())
  const projectCommands = mayBeProjectCommand ? await project().then((p) => p.commands ?? [], () => []) : []

  const resources: Layer.Layer<RuntimeServices | Project, ProjectNotFound | ResourcesFailed> = Layer.unwrapEffect(
    Effect.tryPromise({
      try: project,
      catch: (e) =>
        e instanceof ProjectNotFound
          ? e
          : new ProjectNotFound({ message: `error: the project's configuration did not load: ${e instanceof Error ? e.message : String(e)}` })
    }).pipe(
      // the graph library and the rest of the project's machinery load with the project, not before parsing
      Effect.zipWith(Effect.promise(() => import("../project/Project.js")), (p, m) => Layer.mergeAll(p.layer, m.projectLayer(p)) as Layer.Layer<RuntimeServices | Project, unknown>)
    )
  ).pipe(
    Layer.catchAllCause((cause): Layer.Layer<RuntimeServices | Project, ProjectNotFound | ResourcesFailed> => {
      const e = Cause.squash(cause)
      if (e instanceof ProjectNotFound) return Layer.fail(e)
      // a setting's error names the setting in its text, not in its message
      const message = ConfigError.isConfigError(e)
        ? String(e)
        : e instanceof Error || (typeof e === "object" && e !== null && "message" in e)
          ? String((e as Error).message)
          : Cause.pretty(cause)
      return Layer.fail(new ResourcesFailed({ message: `the project's resources could not start: ${message}` }))
    })
  )

  const root = Command.make("assets").pipe(
    Command.withDescription("software-defined assets: materialize, status, lineage and backfills of the project in this folder (assets.config.ts)"),
    Command.withSubcommands([
      ...projectless,
      // the project's resources are built only when one of these runs, after its arguments parsed
      ...[...builtins, ...edgeCommands, ...projectCommands].map((c) => Command.provide(c, resources))
    ] as unknown as [AnyCommand, ...Array<AnyCommand>])
  )

  const cli = Command.run(root, { name: "assets", version: options.version ?? frameworkVersion() })

  ;(cli(process.argv) as Effect.Effect<void, unknown, NodeContext.NodeContext>).pipe(
    Effect.catchAllCause((cause) => {
      const failure = Cause.failureOption(cause)
      if (failure._tag === "Some") {
        // @effect/cli has printed what is wrong with the arguments already
        if (ValidationError.isValidationError(failure.value)) return Effect.sync(() => (process.exitCode = 2))
        const e = failure.value as { _tag?: string; message?: string }
        if (e._tag === "ProjectNotFound") return Console.error(e.message ?? "").pipe(Effect.zipRight(Effect.sync(() => (process.exitCode = 3))))
        return Console.error(`error: ${e.message ?? String(e)}`).pipe(
          Effect.zipRight(Effect.sync(() => (process.exitCode = usageErrors.has(e._tag ?? "") ? 2 : 1)))
        )
      }
      if (Cause.isInterruptedOnly(cause)) return Effect.sync(() => (process.exitCode = 130))
      return Console.error(Cause.pretty(cause)).pipe(
        Effect.zipRight(Effect.sync(() => (process.exitCode = 1)))
      )
    }),
    Effect.provide(NodeContext.layer),
    NodeRuntime.runMain({ disableErrorReporting: true, teardown })
  )
  stopOnSignals()
}

/**
 * An interrupted command (Ctrl-C, SIGTERM) exits 130; otherwise the code the command set. The process exits as
 * soon as what it printed is written: left to end by itself, Node would first free its heap page by page, about
 * 20 ms after every command (resources are closed already: the command's scope ended before this runs).
 */
const teardown = (exit: Exit.Exit<unknown, unknown>, onExit: (code: number) => void) => {
  const code = Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause) ? 130 : Exit.isFailure(exit) ? 1 : Number(process.exitCode ?? 0)
  onExit(code)
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)))
}

/**
 * The first SIGINT or SIGTERM interrupts the command (runMain's own handler): work stops, runs are recorded
 * CANCELED and staging removed. Should that take longer than the promised 5 s the process exits anyway, and a
 * second signal exits at once.
 */
const stopOnSignals = () => {
  let received = 0
  const onSignal = () => {
    received++
    if (received > 1) process.exit(130)
    setTimeout(() => {
      console.error("still stopping after 4.5 s: exiting now; the next run reclaims what this one left")
      process.exit(130)
    }, 4_500).unref()
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
}
