import { stream } from "./api.js"
import type { Live } from "./types.js"

/**
 * What is going on now, from GET /api/live: one connection for the page, shared by every view. Views subscribe;
 * the connection comes back after a drop. Runs this page launched count as running from the moment they start
 * (a run can end before the next look) until their own event stream ends.
 */
type Listener = (state: Live) => void

/** partitions from..to of an asset (both null: all of them) */
export interface Mark {
  readonly asset: string
  readonly from: string | null
  readonly to: string | null
}

const listeners = new Set<Listener>()
let current: Live = { version: null, runs: [], running: [], backfills: [] }
const launched = new Set<Mark>()

const notify = () => {
  for (const l of listeners) l(current)
}

/** partition keys are opaque: a range holds the keys between its ends in the order the health bar draws them (text order) */
const covers = (m: Mark, partition: string | null | undefined) =>
  partition === undefined || m.from === null || partition === null || (partition >= m.from && partition <= (m.to ?? m.from))

export const live = {
  get state(): Live {
    return current
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener)
    return () => void listeners.delete(listener)
  },
  /** marks asset partitions running from now until `ended` settles */
  launched(marks: ReadonlyArray<Mark>, ended: Promise<unknown>) {
    for (const m of marks) launched.add(m)
    notify()
    void ended
      .catch(() => undefined)
      .finally(() => {
        for (const m of marks) launched.delete(m)
        notify()
      })
  },
  /** whether a partition (or, without one, any partition) of the asset is running now */
  isRunning(asset: string, partition?: string | null): boolean {
    for (const m of launched) if (m.asset === asset && covers(m, partition)) return true
    return current.running.some((r) => r.asset === asset && (partition === undefined || r.partition === partition))
  }
}

/** Connects once for the life of the page, coming back after a drop. */
export const connectLive = () => {
  const loop = async () => {
    for (;;) {
      try {
        await stream(
          "/api/live",
          (e) => {
            if (e.event === "state") {
              current = e.data as Live
              notify()
            }
          },
          new AbortController().signal
        )
      } catch {
        // the server went away for a moment: try again shortly
      }
      await new Promise((r) => setTimeout(r, 2000))
    }
  }
  void loop()
}
