import { Duration, Effect, Schedule } from "effect"
import { LeaseStore } from "./LeaseStore.js"

export interface LeaseOptions {
  readonly ttlMs: number
  readonly pollMs?: number
  /** told once when another holder has the lease and this caller starts waiting */
  readonly onWait?: (holder: string) => Effect.Effect<void>
}

/**
 * Runs `use` while holding the lease on an asset partition: waits (polling) while another holder has it, renews
 * it in the background at a third of its lifetime, and releases it afterwards. A killed holder stops renewing, so
 * its lease expires and a waiter takes over.
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
      return yield* Effect.scoped(
        Effect.gen(function* () {
          yield* Effect.addFinalizer(() => leases.release(asset, partition, holder).pipe(Effect.ignore))
          // renewals start a third of the lifetime after the acquisition, not at once
          yield* Effect.forkScoped(
            leases
              .acquire(asset, partition, holder, options.ttlMs)
              .pipe(Effect.ignore, Effect.repeat(Schedule.spaced(Duration.millis(options.ttlMs / 3))), Effect.delay(Duration.millis(options.ttlMs / 3)))
          )
          return yield* use
        })
      )
    })
