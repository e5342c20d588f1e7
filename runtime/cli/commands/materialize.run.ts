import { Console, Effect, Either, type Option } from "effect"
import { checkJson, checkLine } from "../../checks/describe.js"
import { Engine } from "../../engine/Engine.js"
import { materialize as runMaterialize } from "../../execute/materialize.js"
import type { Progress } from "../../execute/Executor.js"
import { describeSideOutputs, sideOutputsOf } from "../../execute/outputs.js"
import { resolveSelection } from "../../graph/Selection.js"
import { Project } from "../../project/Project.js"
import { describeCause } from "../../status/Cause.js"
import { at, plural, seconds } from "../format.js"
import { partitionRange } from "./partitionArgs.js"

/**
 * An embedded engine opens at its first query (a run with nothing to do never loads it): with a plan to run, it
 * starts now, so that it starts on another thread while the first tasks set up (about 10 ms of every run that
 * queries with DuckDB). An engine with nothing to open has no `openAhead`.
 */
const openAhead = (engine: Engine["Type"]) => (engine.openAhead === undefined ? Effect.void : Effect.asVoid(Effect.fork(engine.openAhead)))

const mark = { succeeded: "✓", failed: "✗", "skipped-fresh": "·", abandoned: "-", canceled: "-" } as const

/** `assets materialize`'s handler, loaded when the command runs (materialize.ts defines the command). */
export const materialize = (args: {
  readonly selection: string
  readonly partition: Option.Option<string>
  readonly from: Option.Option<string>
  readonly to: Option.Option<string>
  readonly force: boolean
  readonly concurrency: number
  readonly json: boolean
}) =>
  Effect.gen(function* () {
    const { graph } = yield* Project
    const keys = yield* Either.match(resolveSelection(graph, args.selection), { onLeft: Effect.fail, onRight: Effect.succeed })
    const range = yield* partitionRange(graph, keys, args)
    const engine = yield* Engine
    const started = Date.now()
    let succeeded = 0
    let planned = 0
    let runId = ""
    const onProgress = (p: Progress) =>
      Effect.suspend(() => {
        if (p._tag === "Finished" && p.outcome.state === "succeeded") succeeded++
        if (args.json || p._tag === "Started") return Effect.void
        if (p._tag === "Waiting") return Console.log(`… ${at(p.task.asset, p.task.partition).padEnd(40)} waiting: another runner (${p.holder}) is materializing it`)
        const o = p.outcome
        const sides = o.materialization ? sideOutputsOf(graph.get(o.task.asset), o.materialization) : {}
        const records = Object.entries(sides).flatMap(([name, s]) => (s.records ?? []).map((r) => `${name}: ${Object.entries(r).map(([k, v]) => `${k} ${v}`).join(", ")}`))
        return Console.log(
          `${mark[o.state]} ${at(o.task.asset, o.task.partition).padEnd(40)} ${o.state === "succeeded" ? seconds(o.durationMs).padStart(7) + "  " : ""}${o.message}${[...describeSideOutputs(sides), ...records, ...o.checks.map(checkLine)].map((l) => `\n    ${l}`).join("")}`
        )
      })
    const result = yield* runMaterialize({
      selection: args.selection,
      range,
      force: args.force,
      concurrency: args.concurrency,
      onPlan: (plan, id) =>
        Effect.sync(() => {
          planned = plan.tasks.length
          runId = id
        }).pipe(
          Effect.zipRight(plan.tasks.length > 0 ? openAhead(engine) : Effect.void),
          Effect.zipRight(args.json ? Effect.void : Effect.forEach(plan.notes, (note) => Console.log(note), { discard: true })),
          Effect.zipRight(
        args.json
          ? Effect.void
          : plan.tasks.length === 0
            ? Console.log(`Everything is fresh: nothing to materialize (${plural(plan.fresh.length, "asset partition")} checked).`)
            : Console.log(
                `Planned ${plural(plan.tasks.length, "asset partition")} (${plan.fresh.length} fresh, skipped):\n${plan.tasks
                  .slice(0, 8)
                  .map((t) => `  ${at(t.asset, t.partition)}: ${t.forced ? "forced" : t.causes.map(describeCause).slice(0, 2).join("; ")}`)
                  .join("\n")}${plan.tasks.length > 8 ? `\n  ... and ${plan.tasks.length - 8} more` : ""}`
              )
          )
        ),
      onProgress
    }).pipe(
      // Ctrl-C: every task stopped, the run CANCELED; what finished stays, and the same command goes on from there
      Effect.onInterrupt(() =>
        Console.error(
          `\nmaterialize canceled${runId ? ` (run ${runId})` : ""}: ${succeeded} materialized, ${Math.max(0, planned - succeeded)} not. Run the same command again to continue: what finished is fresh and is skipped.`
        )
      )
    )
    const count = (s: string) => result.outcomes.filter((o) => o.state === s).length
    if (args.json) {
      yield* Console.log(
        JSON.stringify(
          {
            runId: result.runId,
            status: result.status,
            outcomes: result.outcomes.map((o) => ({
              asset: o.task.asset,
              partition: o.task.partition,
              state: o.state,
              message: o.message,
              dataVersion: o.materialization?.dataVersion ?? null,
              rows: o.materialization?.rowCount ?? null,
              durationMs: o.durationMs,
              checks: o.checks.map(checkJson)
            })),
            fresh: result.plan.fresh
          },
          null,
          2
        )
      )
    } else if (result.outcomes.length > 0) {
      yield* Console.log(
        `\n${result.status === "SUCCESS" ? "Done" : "Finished with failures"}: ${count("succeeded")} materialized, ${count("skipped-fresh")} fresh after upstream re-ran, ${count("failed")} failed, ${count("abandoned")} abandoned, in ${seconds(Date.now() - started)} (run ${result.runId}).`
      )
    }
    if (result.status !== "SUCCESS") process.exitCode = 1
  })
