import { Context, type Effect } from "effect"
import type { EventStoreError } from "../events/EventStore.js"
import type { Backfill, BackfillStatus, BackfillTask, OpenTask, TaskState } from "./records.js"

/** How a task ended, and when (a worker gathers its ends and writes them together) */
export interface TaskEnd {
  readonly taskId: string
  readonly state: TaskState
  readonly message: string
  readonly endedAt: string
}

/**
 * Persisted backfills: the plan's tasks and each one's state, so a backfill survives its process and can be
 * shared by several workers. Claims are optimistic (a conditional update on the task's attempt count), which works
 * the same on SQLite and MySQL.
 */
export class BackfillStore extends Context.Tag("runtime/BackfillStore")<
  BackfillStore,
  {
    readonly create: (backfill: Backfill, tasks: ReadonlyArray<BackfillTask>) => Effect.Effect<void, EventStoreError>
    readonly get: (id: string) => Effect.Effect<Backfill | undefined, EventStoreError>
    readonly list: (limit: number) => Effect.Effect<ReadonlyArray<Backfill>, EventStoreError>
    /** sets the status if it is one of `from` (any, when omitted); true when it changed */
    readonly setStatus: (id: string, status: BackfillStatus, from?: ReadonlyArray<BackfillStatus>) => Effect.Effect<boolean, EventStoreError>
    readonly tasks: (id: string) => Effect.Effect<ReadonlyArray<BackfillTask>, EventStoreError>
    /**
     * the first `limit` pending or running tasks in plan order from `fromSeq` on: a task's unfinished upstream tasks
     * come before it, and a finished task never opens again within a run, so a runner can pass the first seq it saw
     */
    readonly open: (id: string, limit: number, fromSeq: number) => Effect.Effect<ReadonlyArray<OpenTask>, EventStoreError>
    /** which of these tasks failed or were abandoned */
    readonly failedAmong: (id: string, taskIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string>, EventStoreError>
    readonly counts: (id: string) => Effect.Effect<Readonly<Record<TaskState, number>>, EventStoreError>
    /**
     * takes the task if it is still as seen (same state and attempts) and the backfill is RUNNING, in one statement:
     * once a cancel is stored no task starts; true when this worker got it
     */
    readonly claim: (task: OpenTask, worker: string, leaseExpiresAt: number) => Effect.Effect<boolean, EventStoreError>
    /** `claim` for several tasks of one backfill at once: the ids of those this worker got */
    readonly claimAll: (tasks: ReadonlyArray<OpenTask>, worker: string, leaseExpiresAt: number) => Effect.Effect<ReadonlyArray<string>, EventStoreError>
    /** extends the leases of every task this worker is running, and says the backfill has a live worker (its heartbeat) */
    readonly renew: (backfillId: string, worker: string, leaseExpiresAt: number) => Effect.Effect<void, EventStoreError>
    readonly finish: (backfillId: string, taskId: string, worker: string, state: TaskState, message: string) => Effect.Effect<void, EventStoreError>
    /** `finish` for several tasks at once (a worker's ends, gathered), in one statement per few hundred */
    readonly finishAll: (backfillId: string, worker: string, ends: ReadonlyArray<TaskEnd>) => Effect.Effect<void, EventStoreError>
    /** gives running tasks of this worker back, pending again (it was stopped before they finished) */
    readonly release: (backfillId: string, taskIds: ReadonlyArray<string>, worker: string) => Effect.Effect<void, EventStoreError>
    /** puts not-done tasks back to pending (resume); returns how many */
    readonly reset: (id: string, states: ReadonlyArray<TaskState>) => Effect.Effect<number, EventStoreError>
  }
>() {}
