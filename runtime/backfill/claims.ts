import { hostname } from "node:os"
import { Duration, Effect } from "effect"
import { processAlive } from "../execute/processAlive.js"
import type { BackfillStore } from "./BackfillStore.js"
import type { OpenTask, TaskState } from "./records.js"

const thisHost = hostname()

/**
 * A running task is claimable again when its lease ran out, or at once when its worker was a dead process of this
 * host. The asking worker's own tasks are running (it asks often, so it does not probe its own process each time).
 */
const abandonedRunning = (t: OpenTask, now: number, asking: string): boolean => {
  if (t.state !== "running" || t.worker === asking) return false
  if (t.leaseExpiresAt !== null && t.leaseExpiresAt < now) return true
  const [host, pid] = (t.worker ?? "").split(":")
  return host === thisHost && pid !== undefined && !processAlive(Number(pid))
}

/**
 * How one worker claims a backfill's tasks, shared by its loops: `next` is the next task it took, or "wait" /
 * "over" / "again" (lost a race, or widened the window: look again at once); `finish` records a task's end;
 * `idle` is how a loop told to wait does so.
 */
export const makeClaims = (args: {
  readonly backfills: BackfillStore["Type"]
  readonly backfillId: string
  readonly worker: string
  readonly ttlMs: number
  readonly concurrency: number
}) => {
  const { backfills, backfillId, worker, ttlMs } = args
  // a window of the earliest open tasks is enough, as tasks are stored in dependency order: sized to what is running
  // at its head plus room to find ready tasks, and grown while it holds nothing ready
  const minWindow = Math.max(16, args.concurrency * 4)
  let window = minWindow
  // where the window starts: the first open seq seen so far, since finished tasks do not open again in a run
  let fromSeq = 0
  // a cancel is looked for at most this often, not on every claim
  let canceledCheckedAt = 0
  // tasks this worker finished and how: what it learns without reading the store again
  const finishedHere = new Map<string, TaskState>()
  // A loop with nothing to claim waits until a task of this worker ends (its dependants may be ready now) or the
  // poll interval passes (for what other workers do). Without the wake-up, the loops left at the end of a
  // backfill slept a whole interval after its last task. `finishes` lets a loop see an end it would miss by
  // starting to wait after it.
  const ended = Effect.unsafeMakeLatch(false)
  let finishes = 0
  const finish = (taskId: string, end: TaskState, message: string) =>
    Effect.tap(backfills.finish(backfillId, taskId, worker, end, message), () => {
      finishedHere.set(taskId, end)
      finishes++
      return ended.release
    })
  const idle = (since: number, pollMs: number) =>
    Effect.suspend(() => (finishes !== since ? Effect.void : Effect.raceFirst(ended.await, Effect.sleep(Duration.millis(pollMs)))))
  const okHere = (d: string) => finishedHere.get(d) === "succeeded" || finishedHere.get(d) === "skipped"
  const failedHere = (d: string) => finishedHere.get(d) === "failed" || finishedHere.get(d) === "abandoned"

  // The window as last read serves claims until it holds nothing ready: a task is ready when each dependency was
  // out of the window (finished before the read) or finished here since. A task taken by another worker meanwhile
  // shows as a lost claim, and the window is read again.
  let seen: Array<OpenTask> = []
  let seenOpen = new Set<string>()
  let seenFailed = new Set<string>()
  const take = (now: number): OpenTask | undefined => {
    const i = seen.findIndex((t) =>
      t.state === "pending" ? t.dependsOn.every((d) => okHere(d) || failedHere(d) || !seenOpen.has(d)) : abandonedRunning(t, now, worker)
    )
    // out of the window before the claim yields, so another loop of this worker does not try it too
    return i < 0 ? undefined : seen.splice(i, 1)[0]
  }
  const read = Effect.gen(function* () {
    const open = yield* backfills.open(backfillId, window, fromSeq)
    if (open.length > 0) fromSeq = Math.max(fromSeq, open[0]!.seq)
    seen = [...open]
    seenOpen = new Set(open.map((t) => t.taskId))
    const outside = [...new Set(open.flatMap((t) => (t.state === "pending" ? t.dependsOn : [])))].filter((d) => !seenOpen.has(d) && !okHere(d))
    seenFailed = new Set(yield* backfills.failedAmong(backfillId, outside))
    return open
  })

  const next = Effect.gen(function* () {
    if (Date.now() - canceledCheckedAt >= 250) {
      canceledCheckedAt = Date.now()
      if ((yield* backfills.get(backfillId))?.status === "CANCELED") return "over" as const
    }
    let t = take(Date.now())
    if (t === undefined) {
      const open = yield* read
      if (open.length === 0) return "over" as const
      const now = Date.now()
      t = take(now)
      if (t === undefined) {
        if (open.length === window && window < 4096 && !open.some((o) => abandonedRunning(o, now, worker))) {
          window *= 2
          return "again" as const
        }
        return "wait" as const
      }
      window = Math.max(minWindow, open.filter((o) => o.state === "running").length + minWindow)
    }
    const badDeps = t.state === "pending" ? t.dependsOn.filter((d) => seenFailed.has(d) || failedHere(d)) : []
    const claimed = yield* backfills.claim(t, worker, Date.now() + ttlMs)
    if (!claimed) {
      seen = []
      return "again" as const
    }
    if (badDeps.length > 0) {
      yield* finish(t.taskId, "abandoned", `upstream failed: ${badDeps.join(", ")}`)
      return "again" as const
    }
    return t
  })

  return { next, finish, idle, finishes: () => finishes }
}
