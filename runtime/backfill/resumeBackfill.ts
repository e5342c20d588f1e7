import { Effect } from "effect"
import { BackfillStore } from "./BackfillStore.js"

/** Puts a backfill's failed and abandoned tasks back to pending; succeeded and skipped tasks are never run again. */
export const resumeBackfill = Effect.fn("Backfill.resume")(function* (id: string) {
  const store = yield* BackfillStore
  const backfill = yield* store.get(id)
  if (backfill === undefined) return yield* Effect.fail(new Error(`no backfill ${id}: assets backfill list shows them`))
  const reset = yield* store.reset(id, ["failed", "abandoned"])
  yield* store.setStatus(id, "RUNNING")
  return { backfill, reset }
})
