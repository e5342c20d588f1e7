import { Duration, Effect, Schedule } from "effect"
import { LeaseStore } from "./LeaseStore.js"

export interface LeaseOptions {
  readonly ttlMs: number
  readonly pollMs?: number
  /** told once when another holder has the lease and this caller starts waiting */
  readonly onWait?: (holder: string) => Effect.Effect<void>
  /** how the lease is given back (default: at once); a run gathers its releases (runtime/execute/runWrites.ts) */
  readonly release?: (slot: { readonly asset: string; readonly partition: string | null }) => Effect.Effect<void>
}

/**
 * Runs `use` while holding the lease on an asset partition: waits (polling) while another holder has it, and
 * releases it afterwards. The holder keeps it alive with one heartbeat (`renewingLeases`), however many it holds.
 */
export const withLease =
  (asset: string, partition: string | null, holder: string, options: LeaseOptions) =>
  <A, E, R>(use: Effect.Effect<A, E, R>) =>
    Effect.gen(function* () {
      const leases = yield* LeaseStore
      let told = false
      while (!(yield* leases.acquire(asset, partition, holder, options.ttlMs))) {
        if (!told && options.onWait) {
          const current = yield* leases.current(asset, partition)
          yield* options.onWait(current?.holder ?? "another runner")
          told = true
        }
        yield* Effect.sleep(Duration.millis(options.pollMs ?? 250))
      }
      const release = options.release ? options.release({ asset, partition }) : leases.release(asset, partition, holder).pipe(Effect.ignore)
      return yield* Effect.ensuring(use, release)
    })

/**
 * A holder's heartbeat, for as long as it runs: every third of the leases' lifetime it renews all the leases the
 * holder has (and whatever else `alongside` renews). A killed holder stops beating, so its leases lapse and a
 * waiter takes over. One beat per holder, not a renewal per lease: a runner may hold many at once.
 */
export const renewingLeases = (holder: string, ttlMs: number, alongside: Effect.Effect<void, unknown> = Effect.void) =>
  Effect.flatMap(LeaseStore, (leases) =>
    Effect.suspend(() => Effect.all([leases.renewAll(holder, ttlMs), alongside], { discard: true })).pipe(
      Effect.ignore,
      Effect.repeat(Schedule.spaced(Duration.millis(ttlMs / 3))),
      Effect.delay(Duration.millis(ttlMs / 3))
    )
  )
