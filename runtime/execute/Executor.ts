import { Cause, Deferred, Effect, Exit } from "effect"
import type { AssetDef } from "../asset/Asset.js"
import type { AssetKey } from "../asset/AssetKey.js"
import type { CheckResult } from "../checks/CheckResult.js"
import type { CheckStore } from "../checks/CheckStore.js"
import { blockedBy } from "../checks/gate.js"
import type { Engine } from "../engine/Engine.js"
import { EventStore } from "../events/EventStore.js"
import type { Lake } from "../lake/Lake.js"
import type { LeaseStore } from "../lease/LeaseStore.js"
import type { Materialization, NewRunEvent, RunEventType } from "../events/records.js"
import type { AssetGraph } from "../graph/AssetGraph.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import type { Plan, Task } from "../plan/Plan.js"
import type { State } from "../status/State.js"
import { StatusResolver } from "../status/StatusResolver.js"
import { materializePartition, messageOf } from "./materializePartition.js"

/** A task's state; the executor moves each task from pending to exactly one end state. */
export type TaskState = "pending" | "running" | "succeeded" | "failed" | "skipped-fresh" | "abandoned" | "canceled"

export interface TaskOutcome {
  readonly task: Task
  readonly state: Exclude<TaskState, "pending" | "running">
  readonly message: string
  readonly materialization: Materialization | undefined
  readonly durationMs: number
  /** the results of the asset's checks on this attempt's output (none when it ran no checks) */
  readonly checks: ReadonlyArray<CheckResult>
}

export type Progress =
  | { readonly _tag: "Started"; readonly task: Task }
  | { readonly _tag: "Waiting"; readonly task: Task; readonly holder: string }
  | { readonly _tag: "Finished"; readonly outcome: TaskOutcome }

export type ExecutorServices = Engine | Lake | EventStore | LeaseStore | CheckStore

/** What running one task needs: the plan's context without the plan. */
export interface TaskOptions {
  readonly graph: AssetGraph
  readonly state: State
  readonly runId: string
  readonly onProgress?: (p: Progress) => Effect.Effect<void>
  /** runs around each task's check-and-materialize, e.g. to hold the asset partition's lease */
  readonly around?: (task: Task, run: Effect.Effect<TaskOutcome, unknown, ExecutorServices>) => Effect.Effect<TaskOutcome, unknown, ExecutorServices>
  /** brings the state up to date for a task before its freshness check (other runners may have written since) */
  readonly refresh?: (task: Task) => Effect.Effect<void, unknown, ExecutorServices>
}

export interface ExecuteOptions extends TaskOptions {
  readonly plan: Plan
  readonly concurrency: number
}

/**
 * One task whose upstream tasks are done: abandoned when one of them failed; otherwise, unless forced, checked again
 * against the state as it is now (an upstream that wrote identical data leaves it fresh, skipped), then
 * materialized. Every end is reported as a run event and to `onProgress`; nothing fails.
 */
export const runTask = (
  options: TaskOptions,
  task: Task,
  failedUpstream: ReadonlyArray<string> = [],
  /** bounds the check-and-materialize, e.g. by the run's concurrency */
  limit: <A, E, R>(run: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = (run) => run
): Effect.Effect<TaskOutcome, never, ExecutorServices> =>
  Effect.gen(function* () {
    const { graph, state, runId } = options
    const store = yield* EventStore
    const progress = options.onProgress ?? (() => Effect.void)
    const around = options.around ?? ((_t: Task, run: Effect.Effect<TaskOutcome, unknown, ExecutorServices>) => run)
    // from when the task holds its concurrency slot, so a printed duration is its own, not its wait
    let started = Date.now()
    let checks: ReadonlyArray<CheckResult> = []
    const event = (type: RunEventType, message: string): NewRunEvent => ({
      runId,
      at: new Date().toISOString(),
      type,
      asset: task.asset as AssetKey,
      partition: task.partition as PartitionKey | null,
      message
    })
    const finish = (s: TaskOutcome["state"], message: string, materialization?: Materialization) =>
      Effect.gen(function* () {
        const outcome: TaskOutcome = { task, state: s, message, materialization, durationMs: Date.now() - started, checks }
        const type: RunEventType =
          s === "succeeded" ? "STEP_SUCCESS" : s === "failed" ? "STEP_FAILURE" : s === "abandoned" ? "STEP_ABANDONED" : s === "canceled" ? "STEP_CANCELED" : "STEP_SKIPPED_FRESH"
        // a success event was recorded with its materialization
        if (s !== "succeeded") yield* store.appendEvents([event(type, message)]).pipe(Effect.ignoreLogged)
        yield* progress({ _tag: "Finished", outcome })
        return outcome
      })

    if (failedUpstream.length > 0) return yield* finish("abandoned", `upstream failed: ${failedUpstream.join(", ")}`)

    const attempt = Effect.gen(function* () {
      started = Date.now()
      if (options.refresh) yield* options.refresh(task)
      const resolver = new StatusResolver(graph, state)
      if (!task.forced && resolver.status(task.asset, task.partition).status === "FRESH") {
        return yield* finish("skipped-fresh", "fresh: its inputs did not change")
      }
      yield* store.appendEvents([event("STEP_START", "")]).pipe(Effect.ignoreLogged)
      yield* progress({ _tag: "Started", task })
      const exit = yield* materializePartition({
        graph,
        asset: graph.get(task.asset) as AssetDef<any, any>,
        partition: task.partition,
        runId,
        inputs: resolver.currentInputs(task.asset, task.partition),
        reportedBy: (m) => [event("STEP_SUCCESS", succeededMessage(m))],
        onChecks: (results) => Effect.sync(() => (checks = results))
      }).pipe(Effect.exit)
      if (Exit.isSuccess(exit)) {
        state.putMaterialization(exit.value)
        return yield* finish("succeeded", succeededMessage(exit.value), exit.value)
      }
      return yield* Effect.failCause(exit.cause)
    })
    // an asset compute's own requirements are checked against the project's layer by defineProject
    return yield* limit(around(task, attempt)).pipe(
      Effect.catchAllCause((cause) => (Cause.isInterruptedOnly(cause) ? Effect.failCause(cause) : finish("failed", failureMessage(cause)))),
      // an interrupted task (a signal, a cancel) says so in the run's events; it runs again next time
      Effect.onInterrupt(() => finish("canceled", "canceled before it finished").pipe(Effect.ignore))
    )
  }) as Effect.Effect<TaskOutcome, never, ExecutorServices>

/**
 * Runs a plan: each task waits for the tasks it reads, then runs as `runTask` says. At most `concurrency`
 * materializations run at once.
 */
export const execute = Effect.fn("Executor.execute")(function* (options: ExecuteOptions) {
  const semaphore = yield* Effect.makeSemaphore(Math.max(1, options.concurrency))
  const done = new Map<string, Deferred.Deferred<TaskOutcome["state"]>>()
  const reasons = new Map<string, ReadonlyArray<string>>()
  for (const t of options.plan.tasks) done.set(t.id, yield* Deferred.make<TaskOutcome["state"]>())
  const runOne = (task: Task) =>
    Effect.gen(function* () {
      const upstream = yield* Effect.forEach(task.dependsOn, (id) => Deferred.await(done.get(id)!))
      const failed = task.dependsOn.filter((_, i) => upstream[i] === "failed" || upstream[i] === "abandoned")
      const outcome = yield* runTask(options, task, [...new Set(failed.flatMap((id) => reasons.get(id) ?? [id]))], semaphore.withPermits(1))
      // what downstream says it was abandoned for: the failed task, and the checks that blocked it
      const blocked = outcome.state === "failed" ? blockedBy(outcome.checks) : undefined
      if (outcome.state === "failed") reasons.set(task.id, [blocked === undefined ? task.id : `${task.id} (${blocked})`])
      if (outcome.state === "abandoned") reasons.set(task.id, [...new Set(failed.flatMap((id) => reasons.get(id) ?? [id]))])
      yield* Deferred.succeed(done.get(task.id)!, outcome.state)
      return outcome
    })
  return yield* Effect.forEach(options.plan.tasks, runOne, { concurrency: "unbounded" })
})

const succeededMessage = (m: Materialization) => `${m.rowCount} rows, data version ${m.dataVersion}`

/** Enough for any error an engine or a driver gives, every line of it; a runaway message is cut, saying so. */
export const MESSAGE_LIMIT = 16_384

export const bounded = (message: string): string =>
  message.length <= MESSAGE_LIMIT ? message : `${message.slice(0, MESSAGE_LIMIT)}\n… (${message.length - MESSAGE_LIMIT} more characters cut)`

/** The whole message of a failure, or the whole report of a defect (a bug: its stack helps). */
const failureMessage = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.failureOption(cause)
  return bounded(failure._tag === "Some" ? messageOf(failure.value) : Cause.pretty(cause))
}
