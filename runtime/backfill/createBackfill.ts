import { Effect, Either } from "effect"
import { newId } from "../events/ids.js"
import { resolveSelection } from "../graph/Selection.js"
import { loadState } from "../execute/materialize.js"
import { PartitionError } from "../partitions/PartitionsDefinition.js"
import { describeImpossible } from "../plan/Plan.js"
import { plan, type PartitionRange } from "../plan/planner.js"
import { beforeRun, Project } from "../project/Project.js"
import { StatusResolver } from "../status/StatusResolver.js"
import { BackfillStore } from "./BackfillStore.js"
import type { Backfill, BackfillTask } from "./records.js"

/**
 * Plans a backfill (every stale or missing asset partition of the selection and its upstream in the range, in
 * dependency order; an all-partitions downstream once, after its months) and stores it with every task pending.
 */
export const createBackfill = Effect.fn("Backfill.create")(function* (request: {
  readonly selection: string
  readonly range: PartitionRange
  readonly force: boolean
}) {
  const { graph } = yield* Project
  const store = yield* BackfillStore
  const targets = yield* Either.match(resolveSelection(graph, request.selection), { onLeft: Effect.fail, onRight: Effect.succeed })
  yield* beforeRun
  const state = yield* loadState(graph, targets, { record: true })
  const thePlan = plan(new StatusResolver(graph, state), { targets, range: request.range, force: request.force })
  if (thePlan.impossible.length > 0) return yield* new PartitionError({ message: `${describeImpossible(thePlan.impossible)}: narrow --from/--to` })
  const now = new Date().toISOString()
  const backfill: Backfill = {
    id: newId("b"),
    selection: request.selection,
    from: request.range.from ?? "",
    to: request.range.to ?? "",
    force: request.force,
    status: "RUNNING",
    createdAt: now,
    updatedAt: now,
    heartbeatAt: null
  }
  const tasks: Array<BackfillTask> = thePlan.tasks.map((t, seq) => ({
    backfillId: backfill.id,
    taskId: t.id,
    seq,
    asset: t.asset,
    partition: t.partition,
    dependsOn: t.dependsOn,
    state: "pending",
    attempts: 0,
    worker: null,
    leaseExpiresAt: null,
    startedAt: null,
    endedAt: null,
    message: ""
  }))
  yield* store.create(backfill, tasks)
  return { backfill, tasks, fresh: thePlan.fresh.length, notes: thePlan.notes }
})
