import { Context, type Effect } from "effect"
import type { AssetKey } from "../asset/AssetKey.js"
import type { EventStoreError } from "../events/EventStore.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import type { CheckResult } from "./CheckResult.js"

export interface CheckHistoryQuery {
  readonly asset: AssetKey
  readonly partition?: PartitionKey | null | undefined
  /** materializations checked before this id (a cursor from the previous page) */
  readonly before?: string | undefined
  /** how many materializations (each with all its results) */
  readonly limit: number
}

/** How many asset partitions hold a check's latest result at a version: status finds stale checks from it. */
export interface CheckVersionCount {
  readonly asset: AssetKey
  readonly check: string
  readonly checkVersion: string
  readonly partitions: number
}

/**
 * Where check results are kept, beside the event store (SQLite and MySQL): every result, and the latest result of
 * each check of each asset partition, so status reads what is failing without reading the history.
 */
export class CheckStore extends Context.Tag("runtime/CheckStore")<
  CheckStore,
  {
    /** the results of one materialization (or one `assets check` of it), in one write */
    readonly record: (results: ReadonlyArray<CheckResult>) => Effect.Effect<void, EventStoreError>
    /** the latest result of each check of each partition of these assets; only the failed and warned ones when `failing` */
    readonly latest: (
      assets: ReadonlyArray<AssetKey>,
      options?: { readonly failing?: boolean; readonly partition?: PartitionKey | null | undefined }
    ) => Effect.Effect<ReadonlyArray<CheckResult>, EventStoreError>
    /** the results of an asset's most recently checked materializations, newest first */
    readonly history: (query: CheckHistoryQuery) => Effect.Effect<ReadonlyArray<CheckResult>, EventStoreError>
    /** latest results counted by check version, per asset and check */
    readonly versions: (assets: ReadonlyArray<AssetKey>) => Effect.Effect<ReadonlyArray<CheckVersionCount>, EventStoreError>
  }
>() {}
