import { Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Exit, Layer } from "effect"
import { projectLayer } from "../project/Project.js"
import { backfillCommand } from "./commands/backfill.js"
import { lineageCommand } from "./commands/lineage.js"
import { listCommand } from "./commands/list.js"
import { materializeCommand } from "./commands/materialize.js"
import { previewCommand } from "./commands/preview.js"
import { runsCommand } from "./commands/runs.js"
import { statusCommand } from "./commands/status.js"
import { workerCommand } from "./commands/worker.js"
import { loadProject } from "./loadProject.js"

/** Errors a person can fix: printed as one message, exit code 2. */
const usageErrors = new Set(["SelectionError", "PartitionError"])

/**
 * The `assets` command: loads the project's configuration, then runs the runtime's commands, the edge's own
 * (`serve`, given by the caller so the runtime never imports the server) and the project's.
 */
export const runCli = async (edgeCommands: ReadonlyArray<Command.Command<any, any, any, any>>) => {
  const project = await loadProject().catch((e: Error) => {
    console.error(e.message)
    process.exit(3)
  })

  const root = Command.make("assets").pipe(
    Command.withDescription(`software-defined assets: ${project.name}`),
    Command.withSubcommands([
      listCommand,
      statusCommand,
      materializeCommand,
      backfillCommand,
      workerCommand,
      lineageCommand,
      previewCommand,
      runsCommand,
      ...edgeCommands,
      ...(project.commands ?? [])
    ])
  )

  const cli = Command.run(root, { name: "assets", version: "0.1.0" })

  cli(process.argv).pipe(
    Effect.catchAllCause((cause) => {
      const failure = Cause.failureOption(cause)
      if (failure._tag === "Some") {
        // @effect/cli has printed what is wrong with the arguments already
        if (ValidationError.isValidationError(failure.value)) return Effect.sync(() => (process.exitCode = 2))
        const e = failure.value as { _tag?: string; message?: string }
        return Console.error(`error: ${e.message ?? String(e)}`).pipe(
          Effect.zipRight(Effect.sync(() => (process.exitCode = usageErrors.has(e._tag ?? "") ? 2 : 1)))
        )
      }
      if (Cause.isInterruptedOnly(cause)) return Effect.sync(() => (process.exitCode = 130))
      return Console.error(Cause.pretty(cause)).pipe(Effect.zipRight(Effect.sync(() => (process.exitCode = 1))))
    }),
    Effect.provide(Layer.mergeAll(project.layer, projectLayer(project), NodeContext.layer)),
    Effect.catchAllCause((cause) =>
      Console.error(`error: the project's resources could not start: ${Cause.squash(cause) instanceof Error ? (Cause.squash(cause) as Error).message : Cause.pretty(cause)}`).pipe(
        Effect.zipRight(Effect.sync(() => (process.exitCode = 1)))
      )
    ),
    NodeRuntime.runMain({ disableErrorReporting: true, teardown })
  )
  stopOnSignals()
}

/** An interrupted command (Ctrl-C, SIGTERM) exits 130; otherwise the code the command set. */
const teardown = (exit: Exit.Exit<unknown, unknown>, onExit: (code: number) => void) =>
  onExit(Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause) ? 130 : Exit.isFailure(exit) ? 1 : Number(process.exitCode ?? 0))

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
