import { Cause, Effect, Exit, Queue } from "effect"
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
import type { RunWrites } from "./runWrites.js"

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
  /** the run's gathered writes (runWrites.ts: step starts); without them a step's start is written as it starts */
  readonly writes?: RunWrites
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
  failedUpstream: ReadonlyArray<string> = []
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
    const writes = options.writes
    // the step's start taken for the record's transaction, until that commits: if it fails, written with the step's end
    let startHeld: ReadonlyArray<NewRunEvent> = []
    const unwrittenStart = writes === undefined ? Effect.succeed([]) : writes.takeStart(task.id)
    const finish = (s: TaskOutcome["state"], message: string, materialization?: Materialization) =>
      Effect.gen(function* () {
        const outcome: TaskOutcome = { task, state: s, message, materialization, durationMs: Date.now() - started, checks }
        const type: RunEventType =
          s === "succeeded" ? "STEP_SUCCESS" : s === "failed" ? "STEP_FAILURE" : s === "abandoned" ? "STEP_ABANDONED" : s === "canceled" ? "STEP_CANCELED" : "STEP_SKIPPED_FRESH"
        // a success event was recorded with its materialization (and the step's start with it)
        if (s !== "succeeded") {
          const start = [...startHeld, ...(yield* unwrittenStart)]
          yield* store.appendEvents([...start, event(type, message)]).pipe(Effect.ignoreLogged)
        }
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
      if (writes === undefined) yield* store.appendEvents([event("STEP_START", "")]).pipe(Effect.ignoreLogged)
      else writes.started(task.id, event("STEP_START", ""))
      yield* progress({ _tag: "Started", task })
      const exit = yield* materializePartition({
        graph,
        asset: graph.get(task.asset) as AssetDef<any, any>,
        partition: task.partition,
        runId,
        inputs: resolver.currentInputs(task.asset, task.partition),
        reportedBy: (m) =>
          Effect.map(unwrittenStart, (start) => {
            startHeld = start
            return [...start, event("STEP_SUCCESS", succeededMessage(m))]
          }),
        recorded: Effect.sync(() => (startHeld = [])),
        ...(writes === undefined ? {} : { published: writes.published }),
        onChecks: (results) => Effect.sync(() => (checks = results))
      }).pipe(Effect.exit)
      if (Exit.isSuccess(exit)) {
        state.putMaterialization(exit.value)
        return yield* finish("succeeded", succeededMessage(exit.value), exit.value)
      }
      return yield* Effect.failCause(exit.cause)
    })
    // an asset compute's own requirements are checked against the project's layer by defineProject
    return yield* around(task, attempt).pipe(
      Effect.catchAllCause((cause) => (Cause.isInterruptedOnly(cause) ? Effect.failCause(cause) : finish("failed", failureMessage(cause)))),
      // an interrupted task (a signal, a cancel) says so in the run's events; it runs again next time
      Effect.onInterrupt(() => finish("canceled", "canceled before it finished").pipe(Effect.ignore))
    )
  }) as Effect.Effect<TaskOutcome, never, ExecutorServices>

/**
 * Runs a plan: `concurrency` workers take the tasks whose upstream tasks are done, in plan order, and run each as
 * `runTask` says. A task becomes ready when its last upstream task ends, so no fiber waits for a task that cannot
 * run yet (a plan of 10,000 tasks had 10,000 fibers waiting).
 */
export const execute = Effect.fn("Executor.execute")(function* (options: ExecuteOptions) {
  const tasks = options.plan.tasks
  const ends = new Map<string, TaskOutcome>()
  const reasons = new Map<string, ReadonlyArray<string>>()
  const unfinished = new Map<string, number>()
  const dependants = new Map<string, Array<Task>>()
  const ready = yield* Queue.unbounded<Task | undefined>()
  const workers = Math.max(1, options.concurrency)
  const planned = new Set(tasks.map((t) => t.id))
  for (const t of tasks) {
    const upstream = t.dependsOn.filter((d) => planned.has(d))
    unfinished.set(t.id, upstream.length)
    for (const d of upstream) {
      const xs = dependants.get(d)
      if (xs) xs.push(t)
      else dependants.set(d, [t])
    }
  }
  const done = (outcome: TaskOutcome) =>
    Effect.suspend(() => {
      const task = outcome.task
      ends.set(task.id, outcome)
      const failed = task.dependsOn.filter((id) => ends.get(id)?.state === "failed" || ends.get(id)?.state === "abandoned")
      // what downstream says it was abandoned for: the failed task, and the checks that blocked it
      const blocked = outcome.state === "failed" ? blockedBy(outcome.checks) : undefined
      if (outcome.state === "failed") reasons.set(task.id, [blocked === undefined ? task.id : `${task.id} (${blocked})`])
      if (outcome.state === "abandoned") reasons.set(task.id, [...new Set(failed.flatMap((id) => reasons.get(id) ?? [id]))])
      const now = (dependants.get(task.id) ?? []).filter((t) => {
        const left = unfinished.get(t.id)! - 1
        unfinished.set(t.id, left)
        return left === 0
      })
      // the last task ended: each worker is told to stop
      const over = ends.size === tasks.length ? Array.from({ length: workers }, () => undefined) : []
      return Queue.offerAll(ready, [...now, ...over])
    })
  const worker = Effect.gen(function* () {
    while (true) {
      const task = yield* Queue.take(ready)
      if (task === undefined) return
      const failed = task.dependsOn.filter((id) => ends.get(id)?.state === "failed" || ends.get(id)?.state === "abandoned")
      yield* done(yield* runTask(options, task, [...new Set(failed.flatMap((id) => reasons.get(id) ?? [id]))]))
    }
  })
  if (tasks.length === 0) return []
  yield* Queue.offerAll(
    ready,
    tasks.filter((t) => unfinished.get(t.id) === 0)
  )
  yield* Effect.all(Array.from({ length: workers }, () => worker), { concurrency: "unbounded", discard: true })
  return tasks.map((t) => ends.get(t.id)!)
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
