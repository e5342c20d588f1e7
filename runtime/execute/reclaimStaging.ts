import { hostname } from "node:os"
import { Effect } from "effect"
import { EventStore } from "../events/EventStore.js"
import { Lake } from "../lake/Lake.js"
import { processAlive } from "./processAlive.js"

/**
 * Runs left STARTED by a process of this host that no longer exists (killed, crashed) are marked ABANDONED, and
 * staging left by any run that is not running is removed. Runs of other hosts are left to their own hosts.
 */
export const reclaimStaging = Effect.fn("Runtime.reclaimStaging")(function* (currentRunId: string) {
  const store = yield* EventStore
  const lake = yield* Lake
  const started = yield* store.runs({ status: "STARTED", limit: 10_000 })
  const host = hostname()
  const keep = new Set<string>([currentRunId])
  let abandoned = 0
  for (const run of started) {
    if (run.id !== currentRunId && run.host === host && !processAlive(run.pid)) {
      yield* store.endRun(run.id, "ABANDONED")
      abandoned++
    } else keep.add(run.id)
  }
  const removed = yield* lake.cleanStaging(keep)
  return { abandoned, removed }
})
