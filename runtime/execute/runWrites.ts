import { Duration, Effect } from "effect"
import { EventStore } from "../events/EventStore.js"
import type { Materialization, NewRunEvent } from "../events/records.js"
import { LeaseStore } from "../lease/LeaseStore.js"

type Slot = { readonly asset: string; readonly partition: string | null }

/**
 * The writes of a run that nothing waits for, gathered and written together every `flushMs` instead of one
 * statement (on MySQL one commit, a disk flush) per task each (bench/runtime.ts, bench/backfill.ts):
 *
 * - a step's STEP_START, written with the step's end (a success's in its record's transaction), or by the next
 *   flush while the step still runs: `runs show` and the page see a long step start within `flushMs`;
 * - that the lake shows a record (`markPublished`): until it is written, the record reads as one whose publishing a
 *   crash may have cut short, and a runner starting meanwhile publishes it again, which changes nothing; it is
 *   written before the flush's lease releases, so that runner waits for the lease until it is;
 * - lease releases: a lease held a moment longer only keeps another runner waiting a moment longer (a run takes
 *   each asset partition once, so it never takes again a lease whose release is still to be written).
 *
 * The record itself is never deferred: it is the commit point, written before the task is reported done.
 */
export interface RunWrites {
  /** the step `key` started: its STEP_START waits for the step's end or the next flush */
  readonly started: (key: string, event: NewRunEvent) => void
  /** the step's STEP_START if no flush wrote it yet, taken to be written with its end (after a flush writing it is over) */
  readonly takeStart: (key: string) => Effect.Effect<ReadonlyArray<NewRunEvent>>
  readonly release: (slot: Slot) => Effect.Effect<void>
  /** the lake shows this record at its stable paths: marked in the store by the next flush */
  readonly published: (m: Pick<Materialization, "id" | "asset" | "partition">) => Effect.Effect<void>
  /** writes what is gathered; a failure is logged and what failed is dropped (see above: each is safe to lose) */
  readonly flush: Effect.Effect<void>
  /** runs `body` while flushing every `flushMs`, then flushes once more however it ends */
  readonly during: <A, E, R>(body: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

export const makeRunWrites = (
  holder: string,
  options: {
    readonly flushMs?: number
    /** written with each flush, after the rest (a backfill worker's task ends) */
    readonly alongside?: Effect.Effect<void, unknown>
  } = {}
): Effect.Effect<RunWrites, never, EventStore | LeaseStore> =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const leases = yield* LeaseStore
    const starts = new Map<string, NewRunEvent>()
    let releases: Array<Slot> = []
    let marks: Array<Pick<Materialization, "id" | "asset" | "partition">> = []
    // one flush at a time, and a step taking its start waits for a flush under way: its STEP_START is then written
    // before the step's end, in the order of the events' seq
    const lock = yield* Effect.makeSemaphore(1)

    const flush = lock.withPermits(1)(
      Effect.suspend(() => {
        const events = [...starts.values()]
        starts.clear()
        const released = releases
        releases = []
        const marked = marks
        marks = []
        // in this order (Effect.all runs them one after another): a lease is released after its record's mark
        return Effect.all(
          [
            events.length === 0 ? Effect.void : store.appendEvents(events),
            marked.length === 0 ? Effect.void : store.markPublished(marked),
            released.length === 0 ? Effect.void : leases.releaseAll(holder, released),
            options.alongside ?? Effect.void
          ].map((write) => Effect.ignoreLogged(write)),
          { discard: true }
        )
      })
    ).pipe(Effect.uninterruptible)

    return {
      started: (key, event) => void starts.set(key, event),
      takeStart: (key) =>
        lock.withPermits(1)(
          Effect.sync(() => {
            const event = starts.get(key)
            starts.delete(key)
            return event === undefined ? [] : [event]
          })
        ),
      release: (slot) => Effect.sync(() => void releases.push(slot)),
      published: (m) => Effect.sync(() => void marks.push({ id: m.id, asset: m.asset, partition: m.partition })),
      flush,
      during: (body) =>
        Effect.raceFirst(body, Effect.forever(Effect.zipRight(Effect.sleep(Duration.millis(options.flushMs ?? 250)), flush))).pipe(Effect.ensuring(flush))
    } satisfies RunWrites
  })
