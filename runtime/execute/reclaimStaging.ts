import { hostname } from "node:os"
import { Effect } from "effect"
import { EventStore } from "../events/EventStore.js"
import { Lake } from "../lake/Lake.js"
import { LeaseStore } from "../lease/LeaseStore.js"
import { leaseTtlMs, runIsLive } from "./liveness.js"
import { outputsOf, publish } from "./outputs.js"

/**
 * What a runner does before it starts: runs left STARTED whose process is gone (killed, crashed, its heartbeat
 * stopped) are marked ABANDONED; recorded materializations whose publishing a crash cut short are published (each
 * under its asset partition's lease, so a live runner's newer record is never overwritten); then the staging of
 * every run that is not running is removed, with versions no record needs any more.
 */
export const reclaimStaging = Effect.fn("Runtime.reclaimStaging")(function* (currentRunId: string) {
  const store = yield* EventStore
  const lake = yield* Lake
  const ttlMs = yield* leaseTtlMs
  const started = yield* store.runs({ status: "STARTED", limit: 10_000 })
  const keep = new Set<string>([currentRunId])
  const now = Date.now()
  let abandoned = 0
  const leases = yield* LeaseStore
  for (const run of started) {
    if (run.id === currentRunId || runIsLive(run, now, ttlMs)) keep.add(run.id)
    else {
      if (yield* store.endRun(run.id, "ABANDONED")) abandoned++
      // a process of this host that is gone holds nothing: its leases go now, not a lease time later
      if (run.host === hostname() && run.pid !== process.pid) yield* leases.releaseHeldBy(`${run.host}:${run.pid}:`)
    }
  }
  const published = yield* republish(`${hostname()}:${process.pid}:${currentRunId}`, ttlMs)
  // a record whose publishing is still to come (a live runner holds its partition) keeps its version
  const recorded = new Set((yield* store.unpublished).flatMap((m) => outputsOf(m).map((o) => o.location)))
  const removed = yield* lake.cleanStaging(keep, recorded)
  return { abandoned, published, removed }
})

/** Publishes current materializations that are recorded but not published; one held by a live runner is its own to publish. */
const republish = Effect.fn("Runtime.republish")(function* (holder: string, ttlMs: number) {
  const store = yield* EventStore
  const leases = yield* LeaseStore
  const pending = yield* store.unpublished
  let published = 0
  for (const m of pending) {
    if (!(yield* leases.acquire(m.asset, m.partition, holder, ttlMs))) continue
    yield* Effect.gen(function* () {
      const [current] = yield* store.currentMaterializationsOf([{ asset: m.asset, partition: m.partition }])
      if (current?.id !== m.id) return
      yield* publish(m)
      yield* store.appendEvents([
        { runId: m.runId, at: new Date().toISOString(), type: "PUBLISHED", asset: m.asset, partition: m.partition, message: `published ${m.id} after its run stopped before publishing it` }
      ])
      published++
    }).pipe(Effect.ensuring(leases.release(m.asset, m.partition, holder).pipe(Effect.ignore)))
  }
  return published
})
