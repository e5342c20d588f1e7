import { Duration, Effect } from "effect"
import { holderDied } from "../execute/liveness.js"
import type { BackfillStore, TaskEnd } from "./BackfillStore.js"
import type { OpenTask, TaskState } from "./records.js"

/**
 * A running task is claimable again when its lease ran out, or at once when its worker was a dead process of this
 * host. The asking worker's own tasks are running (it asks often, so it does not probe its own process each time).
 */
const abandonedRunning = (t: OpenTask, now: number, asking: string): boolean => {
  if (t.state !== "running" || t.worker === asking) return false
  if (t.leaseExpiresAt !== null && t.leaseExpiresAt < now) return true
  return holderDied(t.worker ?? "")
}

/**
 * How one worker claims a backfill's tasks, shared by its loops: `next` is the next task it took, or "wait" /
 * "over" / "again" (lost a race, or widened the window: look again at once); `finish` records a task's end;
 * `idle` is how a loop told to wait does so.
 *
 * Claims and ends are written a few at a time (bench/backfill.ts: each was a statement, on MySQL a commit, per
 * task): a loop that finds no task claimed for it claims as many ready tasks as this worker has idle loops, in one
 * statement, and the loops take them at once (so a claim still starts its task at once, and a stored cancel still
 * stops every task not claimed before it). Ends are kept here (`finishedHere` answers for them) and written by
 * `flush`: before the window is read again, by the run's periodic flush, and when the run ends. A crash before they
 * are written leaves their tasks running under a dead worker: claimed again, each finds its record and is skipped.
 */
export const makeClaims = (args: {
  readonly backfills: BackfillStore["Type"]
  readonly backfillId: string
  readonly worker: string
  readonly ttlMs: number
  readonly concurrency: number
}) => {
  const { backfills, backfillId, worker, ttlMs } = args
  const loops = Math.max(1, args.concurrency)
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
  // ends not written yet
  let ends: Array<TaskEnd> = []
  // tasks claimed and not finished: those running, and those claimed for a loop that has not taken them yet
  const held = new Set<string>()
  const claimed: Array<OpenTask> = []
  // once a claim was lost to another worker, ready tasks are taken from a random place in the window, so workers
  // reading the same window do not all try the same ones first
  let contended = false
  // A loop with nothing to claim waits until a task of this worker ends (its dependants may be ready now), tasks
  // were claimed for it, or the poll interval passes (for what other workers do). Without the wake-up, the loops
  // left at the end of a backfill slept a whole interval after its last task. `finishes` lets a loop see an end it
  // would miss by starting to wait after it.
  const woken = Effect.unsafeMakeLatch(false)
  let finishes = 0
  const finish = (taskId: string, end: TaskState, message: string) =>
    Effect.suspend(() => {
      finishedHere.set(taskId, end)
      held.delete(taskId)
      ends.push({ taskId, state: end, message, endedAt: new Date().toISOString() })
      finishes++
      return woken.release
    })
  /** writes the ends kept so far; on a failure they are kept for the next flush, and the failure is the caller's */
  const flush = Effect.suspend(() => {
    if (ends.length === 0) return Effect.void
    const writing = ends
    ends = []
    return backfills.finishAll(backfillId, worker, writing).pipe(Effect.tapError(() => Effect.sync(() => (ends = [...writing, ...ends]))))
  })
  const idle = (since: number, pollMs: number) =>
    Effect.suspend(() => (finishes !== since || claimed.length > 0 ? Effect.void : Effect.raceFirst(woken.await, Effect.sleep(Duration.millis(pollMs)))))
  const okHere = (d: string) => finishedHere.get(d) === "succeeded" || finishedHere.get(d) === "skipped"
  const failedHere = (d: string) => finishedHere.get(d) === "failed" || finishedHere.get(d) === "abandoned"

  // The window as last read serves claims until it holds nothing ready: a task is ready when each dependency was
  // out of the window (finished before the read) or finished here since. A task taken by another worker meanwhile
  // shows as a lost claim, and the window is read again.
  let seen: Array<OpenTask> = []
  let seenOpen = new Set<string>()
  let seenFailed = new Set<string>()
  const ready = (t: OpenTask, now: number) =>
    t.state === "pending" ? t.dependsOn.every((d) => okHere(d) || failedHere(d) || !seenOpen.has(d)) : abandonedRunning(t, now, worker)
  /** up to `count` ready tasks, out of the window before the claim yields, so another loop of this worker does not try them too */
  const take = (now: number, count: number): Array<OpenTask> => {
    const out: Array<OpenTask> = []
    const start = contended && seen.length > 0 ? Math.floor(Math.random() * seen.length) : 0
    const order = [...seen.slice(start), ...seen.slice(0, start)]
    for (const t of order) {
      if (out.length === count) break
      if (ready(t, now)) out.push(t)
    }
    const taken = new Set(out)
    seen = seen.filter((t) => !taken.has(t))
    return out
  }
  const read = Effect.gen(function* () {
    // the window shows this worker's ends as they are
    yield* flush
    const open = yield* backfills.open(backfillId, window, fromSeq)
    if (open.length > 0) fromSeq = Math.max(fromSeq, open[0]!.seq)
    seen = [...open]
    seenOpen = new Set(open.map((t) => t.taskId))
    const outside = [...new Set(open.flatMap((t) => (t.state === "pending" ? t.dependsOn : [])))].filter((d) => !seenOpen.has(d) && !okHere(d))
    seenFailed = new Set(yield* backfills.failedAmong(backfillId, outside))
    return open
  })

  // one loop at a time reads and claims; the others then find what it claimed for them
  const lock = Effect.unsafeMakeSemaphore(1)
  const next = lock.withPermits(1)(
    Effect.gen(function* () {
      if (Date.now() - canceledCheckedAt >= 250) {
        canceledCheckedAt = Date.now()
        if ((yield* backfills.get(backfillId))?.status === "CANCELED") {
          // claimed for a loop but not started: given back, pending for a resume
          const unstarted = claimed.splice(0).map((t) => t.taskId)
          for (const id of unstarted) held.delete(id)
          if (unstarted.length > 0) yield* backfills.release(backfillId, unstarted, worker)
          return "over" as const
        }
      }
      const mine = claimed.shift()
      if (mine !== undefined) return mine
      // as many as this worker has loops free: this one, and those not running a task
      const free = Math.max(1, loops - held.size)
      let ts = take(Date.now(), free)
      if (ts.length === 0) {
        const open = yield* read
        if (open.length === 0) return "over" as const
        const now = Date.now()
        ts = take(now, free)
        if (ts.length === 0) {
          if (open.length === window && window < 4096 && !open.some((o) => abandonedRunning(o, now, worker))) {
            window *= 2
            return "again" as const
          }
          return "wait" as const
        }
        window = Math.max(minWindow, open.filter((o) => o.state === "running").length + minWindow)
      }
      const expires = Date.now() + ttlMs
      const got = new Set(ts.length === 1 ? ((yield* backfills.claim(ts[0]!, worker, expires)) ? [ts[0]!.taskId] : []) : yield* backfills.claimAll(ts, worker, expires))
      if (got.size < ts.length) {
        contended = true
        seen = []
      }
      for (const t of ts) {
        if (!got.has(t.taskId)) continue
        held.add(t.taskId)
        const badDeps = t.state === "pending" ? t.dependsOn.filter((d) => seenFailed.has(d) || failedHere(d)) : []
        if (badDeps.length > 0) yield* finish(t.taskId, "abandoned", `upstream failed: ${badDeps.join(", ")}`)
        else claimed.push(t)
      }
      // the other loops waiting take theirs now
      if (claimed.length > 1) yield* woken.release
      return claimed.shift() ?? ("again" as const)
    })
  )

  /** the tasks this worker claimed and has not finished (a stopped worker gives them back) */
  const unfinished = () => [...held]

  return { next, finish, flush, idle, finishes: () => finishes, unfinished }
}
