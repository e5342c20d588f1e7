import { Context, type Effect } from "effect"
import type { AssetKey } from "../asset/AssetKey.js"
import type { EventStoreError } from "../events/EventStore.js"

/** An asset's statuses as they were computed, and the fingerprint of everything they were computed from. */
export interface CachedStatus {
  readonly asset: AssetKey
  readonly fingerprint: string
  readonly body: string
}

/**
 * What status keeps between commands, in the event store: each asset's generation (moved by every record that
 * changes its current materializations, in that record's transaction) and each asset's statuses under the
 * fingerprint they were computed from. An entry whose fingerprint no longer matches is never read, so a lost or
 * late write costs a recomputation, never a wrong status.
 */
export class StatusCache extends Context.Tag("runtime/StatusCache")<
  StatusCache,
  {
    /** the generation of each asset that has one (an asset never recorded has none: 0) */
    readonly generations: (assets: ReadonlyArray<AssetKey>) => Effect.Effect<ReadonlyMap<AssetKey, number>, EventStoreError>
    readonly read: (assets: ReadonlyArray<AssetKey>) => Effect.Effect<ReadonlyArray<CachedStatus>, EventStoreError>
    readonly write: (entries: ReadonlyArray<CachedStatus>) => Effect.Effect<void, EventStoreError>
  }
>() {}
