import { hostname } from "node:os"
import { Effect, Either, Exit } from "effect"
import type { AssetKey } from "../asset/AssetKey.js"
import { EventStore } from "../events/EventStore.js"
import { Lake } from "../lake/Lake.js"
import { newId } from "../events/ids.js"
import type { RunStatus } from "../events/records.js"
import type { AssetGraph } from "../graph/AssetGraph.js"
import { resolveSelection } from "../graph/Selection.js"
import { plan, type PartitionRange } from "../plan/planner.js"
import type { Plan } from "../plan/Plan.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import { beforeRun, Project } from "../project/Project.js"
import { contextAt, PartitionError } from "../partitions/PartitionsDefinition.js"
import { describeImpossible } from "../plan/Plan.js"
import { State } from "../status/State.js"
import { StatusResolver } from "../status/StatusResolver.js"
import { execute, type Progress, type TaskOutcome } from "./Executor.js"
import { leaseTtlMs } from "./liveness.js"
import { observeSources } from "./observeSources.js"
import { reclaimStaging } from "./reclaimStaging.js"
import { makeRunWrites } from "./runWrites.js"
import { renewingLeases, withLease } from "../lease/withLease.js"

export interface MaterializeRequest {
  readonly selection: string
  /** the run's id when the caller needs it before the run starts (e.g. an API answering at once) */
  readonly runId?: string
  readonly range?: PartitionRange | undefined
  readonly force?: boolean
  readonly concurrency?: number
  readonly onPlan?: (plan: Plan, runId: string) => Effect.Effect<void>
  readonly onProgress?: (p: Progress) => Effect.Effect<void>
}

export interface MaterializeResult {
  readonly runId: string
  readonly status: RunStatus
  readonly plan: Plan
  readonly outcomes: ReadonlyArray<TaskOutcome>
}

/** Every asset upstream of the keys, the keys included. */
export const upstreamClosure = (graph: AssetGraph, keys: ReadonlyArray<AssetKey>): ReadonlyArray<AssetKey> => {
  const seen = new Set<AssetKey>()
  const stack = [...keys]
  while (stack.length > 0) {
    const k = stack.pop()!
    if (seen.has(k)) continue
    seen.add(k)
    for (const e of graph.inputs(k)) stack.push(e.upstream)
  }
  return graph.order.filter((k) => seen.has(k))
}

/**
 * Observes the sources upstream of `keys` and loads the state their status depends on. Read commands leave the
 * store as it was; a runner (`record: true`) stores the observations that changed, since its records will name them.
 */
export const loadState = Effect.fn("Runtime.loadState")(function* (
  graph: AssetGraph,
  keys: ReadonlyArray<AssetKey>,
  options: { readonly record?: boolean } = {}
) {
  const store = yield* EventStore
  const closure = upstreamClosure(graph, keys)
  const state = yield* observedState(graph, closure, options)
  for (const m of yield* store.currentMaterializations(closure)) state.putMaterialization(m)
  return state
})

/**
 * A state holding what the sources upstream of `closure` show now (observed), the dynamic partitions' keys and the
 * sources that failed, and no materializations yet: the caller loads those it needs.
 */
export const observedState = Effect.fn("Runtime.observedState")(function* (
  graph: AssetGraph,
  closure: ReadonlyArray<AssetKey>,
  options: { readonly record?: boolean } = {}
) {
  const store = yield* EventStore
  const dynamic = new Map(yield* store.dynamicPartitions)
  const observed = yield* observeSources(graph, closure, contextAt(new Date(), dynamic))
  if (options.record === true) {
    // a runner's records name what it observed: a source that cannot be observed stops it
    const [failure] = observed.failed.values()
    if (failure !== undefined) return yield* failure
    for (const [name, added] of observed.newDynamicKeys) yield* store.addDynamicPartitions(name, added)
    yield* store.recordObservations(observed.changed)
  }
  // a read command sees the keys observed now, without storing them
  for (const [name, added] of observed.newDynamicKeys) dynamic.set(name, [...(dynamic.get(name) ?? []), ...added])
  const state = new State([], [], dynamic)
  for (const source of closure.filter((k) => graph.get(k)._tag === "Source")) {
    state.replaceObservations(source, observed.observations.filter((o) => o.asset === source))
  }
  for (const [source, error] of observed.failed) state.failedSources.set(source, error.message)
  return state
})

/**
 * Reloads the current materializations a task's status is decided on: its own asset partition and those it reads
 * directly, which other runners may have written since the state was loaded. Deeper ones are as loaded, or as this
 * run's own tasks left them (each refreshed its own before it ran): newer records there could only show more
 * staleness, so the task may run when another runner made it unnecessary, never skip work it needs. Reading the
 * whole upstream instead cost a query that grew with the graph's depth, before every task. (Untraced: it runs
 * before every task, and a span with its stack trace is a measurable part of a no-op task, bench/runtime.ts.)
 */
export const refreshState = Effect.fnUntraced(function* (
  graph: AssetGraph,
  state: State,
  key: AssetKey,
  partition: PartitionKey | null
) {
  const store = yield* EventStore
  const resolver = new StatusResolver(graph, state)
  const slots = new Map<string, { asset: AssetKey; partition: PartitionKey | null }>([[`${key}\u0000${partition ?? ""}`, { asset: key, partition }]])
  for (const input of resolver.currentInputs(key, partition)) {
    if (graph.get(input.edge.upstream)._tag === "Source") continue
    slots.set(`${input.edge.upstream}\u0000${input.partition ?? ""}`, { asset: input.edge.upstream, partition: input.partition })
  }
  for (const m of yield* store.currentMaterializationsOf([...slots.values()])) state.putMaterialization(m)
})

/**
 * The run's heartbeat while `body` runs: the leases its holder has and the run's own liveness, every third of the
 * lease time, so a killed runner is seen as abandoned once a lease has passed.
 */
export const withHeartbeat = <A, E, R>(holder: string, runId: string, ttlMs: number, body: Effect.Effect<A, E, R>, alongside: Effect.Effect<void, unknown> = Effect.void) =>
  Effect.flatMap(EventStore, (store) =>
    Effect.raceFirst(
      body,
      Effect.zipRight(
        renewingLeases(holder, ttlMs, Effect.zipRight(Effect.suspend(() => store.beatRuns([runId], Date.now())), alongside)),
        Effect.never
      )
    )
  )

/**
 * `assets materialize`: plan what is missing or stale upstream of (and including) the selection, then run it. An
 * interruption (a signal) stops every task at once: the run ends CANCELED and its staging is removed.
 */
export const materialize = Effect.fn("Runtime.materialize")(function* (request: MaterializeRequest) {
  const { graph } = yield* Project
  const store = yield* EventStore
  const targets = yield* Either.match(resolveSelection(graph, request.selection), {
    onLeft: (e) => Effect.fail(e),
    onRight: (keys) => Effect.succeed(keys)
  })
  const runId = request.runId ?? newId("r")
  yield* store.startRun({
    id: runId,
    kind: "materialize",
    selection: request.selection,
    status: "STARTED",
    host: hostname(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    endedAt: null,
    heartbeatAt: Date.now()
  })
  const holder = `${hostname()}:${process.pid}:${runId}`
  const ttlMs = yield* leaseTtlMs
  const body = Effect.gen(function* () {
    yield* reclaimStaging(runId)
    yield* beforeRun
    const state = yield* loadState(graph, targets, { record: true })
    const thePlan = plan(new StatusResolver(graph, state), { targets, range: request.range, force: request.force ?? false })
    if (thePlan.impossible.length > 0) {
      return yield* new PartitionError({ message: `${describeImpossible(thePlan.impossible)}: choose partitions that can exist` })
    }
    yield* store.appendEvents([
      {
        runId,
        at: new Date().toISOString(),
        type: "PLANNED",
        asset: null,
        partition: null,
        message: `${thePlan.tasks.length} to run, ${thePlan.fresh.length} fresh`
      }
    ])
    if (request.onPlan) yield* request.onPlan(thePlan, runId)
    const onProgress = request.onProgress ?? (() => Effect.void)
    const writes = yield* makeRunWrites(holder)
    const outcomes = yield* writes.during(
      execute({
        graph,
        state,
        plan: thePlan,
        runId,
        concurrency: request.concurrency ?? 2,
        onProgress,
        // no two runners materialize one asset partition at once: the second waits, then finds it fresh or runs it
        around: (task, run) =>
          withLease(task.asset, task.partition, holder, {
            ttlMs,
            onWait: (by) => onProgress({ _tag: "Waiting", task, holder: by }),
            release: writes.release
          })(run),
        refresh: (task) => refreshState(graph, state, task.asset, task.partition),
        writes
      })
    )
    const status: RunStatus = outcomes.some((o) => o.state === "failed" || o.state === "abandoned") ? "FAILURE" : "SUCCESS"
    yield* store.endRun(runId, status)
    return { runId, status, plan: thePlan, outcomes } satisfies MaterializeResult
  })
  return yield* withHeartbeat(holder, runId, ttlMs, body).pipe(
    // committed files were moved out of the run's staging folder; what remains is a failed or interrupted task's partial output
    Effect.ensuring(Effect.flatMap(Lake, (lake) => lake.remove(lake.stagingPath(runId, ""))).pipe(Effect.ignore)),
    Effect.onExit((exit) =>
      exit._tag === "Success"
        ? Effect.void
        : Effect.gen(function* () {
            const canceled = Exit.isInterrupted(exit)
            yield* store.endRun(runId, canceled ? "CANCELED" : "FAILURE")
            if (canceled) {
              yield* store.appendEvents([{ runId, at: new Date().toISOString(), type: "RUN_CANCELED", asset: null, partition: null, message: "canceled: interrupted by a signal or a request" }])
            }
          }).pipe(Effect.ignore)
    )
  )
})
