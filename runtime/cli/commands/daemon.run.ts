import { Console, Duration, Effect, Exit, FiberSet, type Option } from "effect"
import { describeDecision, makeDaemon, runDaemon } from "../../automation/daemon.js"
import { daemonSettings } from "../../automation/settings.js"
import type { Tick } from "../../automation/TickStore.js"
import type { MaterializeResult } from "../../execute/materialize.js"
import { messageOf } from "../../execute/materializePartition.js"

/** A tick as the daemon prints it: its line, then every decision that is not a skip. */
export const tickLines = (t: Tick): string =>
  [`${t.startedAt.slice(11, 19)} ${t.status === "SUCCESS" ? "" : `${t.status} `}${t.message}`, ...t.decisions.filter((d) => d.decision !== "skip").map((d) => `    ${describeDecision(d)}`)].join("\n")

const runEnd = (runId: string, result: Exit.Exit<MaterializeResult, unknown>) =>
  Exit.match(result, {
    onSuccess: (r) => {
      const n = (s: string) => r.outcomes.filter((o) => o.state === s).length
      return Console.log(`         run ${runId} ${r.status}: ${n("succeeded")} materialized, ${n("skipped-fresh")} fresh, ${n("failed")} failed`)
    },
    onFailure: (cause) => Console.log(`         run ${runId} did not finish: ${messageOf(cause)}`)
  })

/** `assets daemon`'s handler (daemon.ts defines the command); `assets serve --daemon` runs the same loop. */
export const daemonLoop = (args: { readonly interval: Option.Option<string>; readonly budget: Option.Option<string>; readonly concurrency: number }) =>
  Effect.gen(function* () {
    const { interval, budget } = yield* daemonSettings(args)
    const d = yield* makeDaemon({ budget, concurrency: args.concurrency, onRunEnd: runEnd })
    return { d, interval }
  })

export const daemon = (args: {
  readonly interval: Option.Option<string>
  readonly budget: Option.Option<string>
  readonly concurrency: number
  readonly once: boolean
}) =>
  Effect.gen(function* () {
    const { d, interval } = yield* daemonLoop(args)
    if (d.automated.length === 0) yield* Console.log("no asset declares automation (automation: eager(), onCron(...), onMissing()): each tick has nothing to evaluate")
    if (args.once) {
      const t = yield* d.tick
      yield* Console.log(tickLines(t))
      yield* FiberSet.awaitEmpty(d.runs)
      if (t.status === "FAILURE" || t.status === "TIMED_OUT") process.exitCode = 1
      return
    }
    yield* Console.log(`daemon: ${d.automated.length} automated assets, a tick every ${Math.round(Duration.toMillis(interval) / 100) / 10} s; Ctrl-C stops it`)
    yield* runDaemon(d, interval, (t) => Console.log(tickLines(t)))
  }).pipe(
    Effect.scoped,
    // Ctrl-C: the tick under way stops (recorded CANCELED), launched runs are canceled like a materialize's
    Effect.onInterrupt(() => Console.error("\ndaemon stopped: its tick and the runs it launched were canceled; what finished stays, and the next daemon picks up the rest"))
  )

