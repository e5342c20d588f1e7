import { Context, type Effect } from "effect"
import type { EventStoreError } from "../events/EventStore.js"

export interface Lease {
  readonly asset: string
  readonly partition: string | null
  readonly holder: string
  readonly expiresAt: number
}

/**
 * Leases on asset partitions: whoever holds one may materialize that asset partition; others wait or skip.
 * A lease expires unless renewed, so a killed holder frees it.
 */
export class LeaseStore extends Context.Tag("runtime/LeaseStore")<
  LeaseStore,
  {
    /** true when `holder` now holds the lease (it was free, expired, or already its own) */
    readonly acquire: (asset: string, partition: string | null, holder: string, ttlMs: number) => Effect.Effect<boolean, EventStoreError>
    readonly release: (asset: string, partition: string | null, holder: string) => Effect.Effect<void, EventStoreError>
    /** `release` for many of one holder's leases at once, in one statement per few hundred */
    readonly releaseAll: (holder: string, slots: ReadonlyArray<{ readonly asset: string; readonly partition: string | null }>) => Effect.Effect<void, EventStoreError>
    /** renews every lease `holder` has, in one statement (a worker's heartbeat, instead of a renewal per lease) */
    readonly renewAll: (holder: string, ttlMs: number) => Effect.Effect<void, EventStoreError>
    /** frees every lease whose holder starts with `prefix` (`host:pid:`): that process is known to be dead */
    readonly releaseHeldBy: (prefix: string) => Effect.Effect<number, EventStoreError>
    readonly current: (asset: string, partition: string | null) => Effect.Effect<Lease | undefined, EventStoreError>
    /** live leases (of some assets, or all) */
    readonly live: (assets?: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<Lease>, EventStoreError>
  }
>() {}
