import { hostname } from "node:os"
import { Config, Effect } from "effect"
import type { Backfill, BackfillStatus } from "../backfill/records.js"
import type { Run, RunStatus } from "../events/records.js"
import { processAlive } from "./processAlive.js"

/** How long a lease or a heartbeat lasts without renewal (`ASSETS_LEASE_SECONDS`, default 30): the time to notice a dead runner. */
export const leaseTtlMs = Effect.map(Config.withDefault(Config.integer("ASSETS_LEASE_SECONDS"), 30), (s) => s * 1000)

const thisHost = hostname()

/**
 * Whether a STARTED run's process is still there: on this host its pid says so at once; elsewhere its heartbeat,
 * beaten every third of the lease time, must be younger than a lease.
 */
export const runIsLive = (run: Pick<Run, "status" | "host" | "pid" | "heartbeatAt">, now: number, ttlMs: number): boolean => {
  if (run.status !== "STARTED") return false
  if (run.host === thisHost) return processAlive(run.pid)
  return run.heartbeatAt !== null && now - run.heartbeatAt <= ttlMs
}

/**
 * Whether the process a `host:pid:…` holder names (a lease's holder, a backfill task's worker) is known to be gone:
 * only on this host, where its pid says so at once; elsewhere its lease or heartbeat lapses instead.
 */
export const holderDied = (holder: string): boolean => {
  const [host, pid] = holder.split(":")
  return host === thisHost && pid !== undefined && !processAlive(Number(pid))
}

/** A run's status as a reader should see it: a STARTED run nobody runs any more is ABANDONED. */
export const shownStatus = (run: Pick<Run, "status" | "host" | "pid" | "heartbeatAt">, now: number, ttlMs: number): RunStatus =>
  run.status === "STARTED" && !runIsLive(run, now, ttlMs) ? "ABANDONED" : run.status

/** A backfill's status as a reader should see it: RUNNING only while a worker beats for it. */
export type ShownBackfillStatus = BackfillStatus | "QUEUED" | "ABANDONED"

export const shownBackfillStatus = (b: Pick<Backfill, "status" | "heartbeatAt">, now: number, ttlMs: number): ShownBackfillStatus =>
  b.status !== "RUNNING" ? b.status : b.heartbeatAt === null ? "QUEUED" : now - b.heartbeatAt > ttlMs ? "ABANDONED" : "RUNNING"

/** What a person can do about a backfill in that state, in a few words. */
export const backfillHint = (id: string, shown: ShownBackfillStatus): string =>
  shown === "QUEUED"
    ? "no worker has taken it yet: run `assets worker`"
    : shown === "ABANDONED"
      ? `its worker stopped: \`assets backfill resume ${id}\` continues it`
      : shown === "CANCELED"
        ? `\`assets backfill resume ${id}\` continues it`
        : ""
