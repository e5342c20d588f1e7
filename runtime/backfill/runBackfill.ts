import { hostname } from "node:os"
import { Effect, Either, Exit, Ref } from "effect"
import type { AssetKey } from "../asset/AssetKey.js"
import { EventStore } from "../events/EventStore.js"
import { newId } from "../events/ids.js"
import { runTask, type Progress } from "../execute/Executor.js"
import { leaseTtlMs } from "../execute/liveness.js"
import { loadState, refreshState, withHeartbeat } from "../execute/materialize.js"
import { reclaimStaging } from "../execute/reclaimStaging.js"
import { makeRunWrites } from "../execute/runWrites.js"
import { resolveSelection } from "../graph/Selection.js"
import { Lake } from "../lake/Lake.js"
import { withLease } from "../lease/withLease.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import { Project } from "../project/Project.js"
import type { State } from "../status/State.js"
import { BackfillStore } from "./BackfillStore.js"
import { makeClaims } from "./claims.js"
import type { OpenTask, TaskState } from "./records.js"
import { taskProblem } from "./revalidate.js"

export interface BackfillProgress {
  readonly done: number
  readonly failed: number
  readonly remaining: number
  readonly total: number
}

export interface RunBackfillOptions {
  readonly backfillId: string
  readonly concurrency: number
  readonly worker?: string
  readonly onTask?: (p: Progress) => Effect.Effect<void>
  readonly onProgress?: (p: BackfillProgress) => Effect.Effect<void>
  /** how often to look again while other workers hold the only runnable tasks */
  readonly pollMs?: number
  /**
   * what an interruption (a signal) means: the backfill is CANCELED, to resume later (the `backfill` command that
   * owns it), or only this worker stops and its tasks go back to the others (`worker`, the default)
   */
  readonly onInterrupt?: "cancel" | "release"
}

/** Progress from the store's count of tasks by state. */
export const progressOf = (c: Readonly<Record<TaskState, number>>): BackfillProgress => ({
  done: c.succeeded + c.skipped,
  failed: c.failed + c.abandoned,
  remaining: c.pending + c.running,
  total: Object.values(c).reduce((a, b) => a + b, 0)
})

/**
 * Runs a stored backfill's unfinished tasks with up to `concurrency` at once, alongside any other workers: each
 * loop claims a task whose upstream tasks are done (or whose holder died), checks that it still fits the project's
 * definitions, materializes it under the asset partition's lease if it is still stale, and records the outcome.
 * Ends when no task can run any more.
 */
export const runBackfill = Effect.fn("Backfill.run")(function* (options: RunBackfillOptions) {
  const { graph } = yield* Project
  const backfills = yield* BackfillStore
  const events = yield* EventStore
  const worker = options.worker ?? `${hostname()}:${process.pid}:${newId("w")}`
  const ttlMs = yield* leaseTtlMs
  const pollMs = options.pollMs ?? 200
  const backfill = yield* backfills.get(options.backfillId)
  if (backfill === undefined) return yield* Effect.fail(new Error(`no backfill ${options.backfillId}: assets backfill list shows them`))

  const runId = newId("r")
  yield* events.startRun({
    id: runId,
    kind: "backfill",
    selection: `backfill ${backfill.id}: ${backfill.selection}`,
    status: "STARTED",
    host: hostname(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    endedAt: null,
    heartbeatAt: Date.now()
  })
  // a killed run's staging and unpublished records, this backfill's own included, are reclaimed first
  yield* reclaimStaging(runId)

  // --force applies to the selected assets, not to what is upstream of them (as for materialize)
  const targets = new Set<string>(Either.getOrElse(resolveSelection(graph, backfill.selection), () => []))
  const initial = yield* backfills.tasks(backfill.id)
  const assets = [...new Set(initial.map((t) => t.asset).filter((a) => graph.has(a)))] as Array<AssetKey>
  const state: State = yield* loadState(graph, assets, { record: true })
  const claimed = yield* Ref.make(0)

  let lastReport = 0
  const reportCounts = (force: boolean) =>
    Effect.gen(function* () {
      if (!options.onProgress || (!force && Date.now() - lastReport < 250)) return
      lastReport = Date.now()
      yield* options.onProgress(progressOf(yield* backfills.counts(backfill.id)))
    })
  // the backfill has a worker from now on (the heartbeat's first beat comes a third of a lease later)
  yield* backfills.renew(backfill.id, worker, Date.now() + ttlMs)
  const claims = makeClaims({ backfills, backfillId: backfill.id, worker, ttlMs, concurrency: options.concurrency })
  const writes = yield* makeRunWrites(worker, { alongside: claims.flush })

  const runOne = (t: OpenTask) =>
    Effect.gen(function* () {
      yield* Ref.update(claimed, (n) => n + 1)
      // the definitions may have changed since the backfill was planned
      const problem = taskProblem(graph, state, t)
      if (problem !== undefined) {
        yield* claims.finish(t.taskId, "failed", `the project changed since this backfill was planned: ${problem}`)
        return yield* reportCounts(false)
      }
      const task = { id: t.taskId, asset: t.asset as AssetKey, partition: t.partition as PartitionKey | null, forced: backfill.force && targets.has(t.asset), causes: [], dependsOn: [] }
      // its upstream tasks are done (claimed only then), so it runs on its own
      const outcome = yield* runTask(
        {
          graph,
          state,
          runId,
          ...(options.onTask ? { onProgress: options.onTask } : {}),
          around: (tk, run) => withLease(tk.asset, tk.partition, worker, { ttlMs, release: writes.release })(run),
          // upstream tasks may have been run by other workers
          refresh: (tk) => refreshState(graph, state, tk.asset, tk.partition),
          writes
        },
        task
      )
      const end: TaskState =
        outcome.state === "succeeded" ? "succeeded" : outcome.state === "skipped-fresh" ? "skipped" : outcome.state === "failed" ? "failed" : "abandoned"
      yield* claims.finish(t.taskId, end, outcome.message)
      yield* reportCounts(false)
    })

  const loop: Effect.Effect<void, unknown, any> = Effect.gen(function* () {
    while (true) {
      const since = claims.finishes()
      const next = yield* claims.next
      if (next === "over") return
      if (next === "wait") {
        yield* claims.idle(since, pollMs)
        continue
      }
      if (next === "again") continue
      yield* runOne(next)
    }
  })

  // one heartbeat for the worker: the leases of the tasks it runs, the asset partitions they materialize and its run
  // say it is alive, and lapse if the process dies
  const work = withHeartbeat(
    worker,
    runId,
    ttlMs,
    writes.during(Effect.all(Array.from({ length: Math.max(1, options.concurrency) }, () => loop), { concurrency: "unbounded", discard: true })),
    Effect.suspend(() => backfills.renew(backfill.id, worker, Date.now() + ttlMs))
  )
  const lake = yield* Lake
  yield* work.pipe(
    // a task stopped midway leaves its partial output in the run's staging
    Effect.ensuring(lake.remove(lake.stagingPath(runId, "")).pipe(Effect.ignore)),
    Effect.onExit((exit) =>
      Exit.isInterrupted(exit)
        ? Effect.gen(function* () {
            // tasks stopped midway run again on resume (or by another worker); their staging goes with the run's
            yield* claims.flush.pipe(Effect.ignore)
            yield* backfills.release(backfill.id, claims.unfinished(), worker)
            if (options.onInterrupt === "cancel") yield* backfills.setStatus(backfill.id, "CANCELED", ["RUNNING"])
            yield* events.endRun(runId, "CANCELED")
            yield* events.appendEvents([
              { runId, at: new Date().toISOString(), type: "RUN_CANCELED", asset: null, partition: null, message: `backfill ${backfill.id} stopped by a signal` }
            ])
          }).pipe(Effect.ignore)
        : Effect.void
    )
  )

  // what the last flush could not write, written now or failing the run as a task's end always did
  yield* claims.flush
  yield* reportCounts(true)
  const summary = progressOf(yield* backfills.counts(backfill.id))
  if (summary.remaining === 0) yield* backfills.setStatus(backfill.id, summary.failed > 0 ? "FAILED" : "COMPLETED", ["RUNNING"])
  const status = (yield* backfills.get(backfill.id))?.status
  yield* events.endRun(runId, summary.failed > 0 ? "FAILURE" : status === "CANCELED" ? "CANCELED" : "SUCCESS")
  return { ...summary, claimed: yield* Ref.get(claimed), worker, runId, status }
})
