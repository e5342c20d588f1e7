import { Context, Data, type Effect } from "effect"
import type { AssetKey } from "../asset/AssetKey.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import type { Failure, Materialization, NewRunEvent, Observation, Run, RunEvent, RunStatus } from "./records.js"

export class EventStoreError extends Data.TaggedError("EventStoreError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/** A current materialization read without its inputs (`inputs` is empty), and the digest of what it read. */
export interface CurrentRecord {
  readonly materialization: Materialization
  readonly inputsDigest: string | null
}

export interface MaterializationQuery {
  readonly asset: AssetKey
  readonly partition?: PartitionKey | null | undefined
  /** return records older than this id (a cursor from the previous page) */
  readonly before?: string | undefined
  readonly limit: number
}

/**
 * Everything the runtime remembers: runs and their events, materializations with provenance, source
 * observations. SQLite (embedded) and MySQL (shared) implement it.
 */
export class EventStore extends Context.Tag("runtime/EventStore")<
  EventStore,
  {
    readonly startRun: (run: Run) => Effect.Effect<void, EventStoreError>
    /** ends a run that is still STARTED (a run already ended keeps its status); true when this call ended it */
    readonly endRun: (id: string, status: RunStatus) => Effect.Effect<boolean, EventStoreError>
    /** the runs' processes are alive now (their heartbeat) */
    readonly beatRuns: (ids: ReadonlyArray<string>, at: number) => Effect.Effect<void, EventStoreError>
    readonly runs: (options: { readonly status?: RunStatus; readonly before?: string; readonly limit: number }) => Effect.Effect<ReadonlyArray<Run>, EventStoreError>
    readonly run: (id: string) => Effect.Effect<Run | undefined, EventStoreError>
    readonly appendEvents: (events: ReadonlyArray<NewRunEvent>) => Effect.Effect<void, EventStoreError>
    readonly runEvents: (runId: string, afterSeq?: number) => Effect.Effect<ReadonlyArray<RunEvent>, EventStoreError>
    /**
     * stores a materialization and its inputs and makes it the current one for its asset partition, with the run
     * events that report it, in one transaction: the commit point of a materialization. It is current but not yet
     * published: the lake's stable path shows it only after `markPublished`.
     */
    readonly recordMaterialization: (m: Materialization, events?: ReadonlyArray<NewRunEvent>) => Effect.Effect<void, EventStoreError>
    /** the lake now shows these materializations at their stable paths (a no-op for one no longer current) */
    readonly markPublished: (ms: ReadonlyArray<Pick<Materialization, "id" | "asset" | "partition">>) => Effect.Effect<void, EventStoreError>
    /** current materializations whose publishing a crash may have cut short */
    readonly unpublished: Effect.Effect<ReadonlyArray<Materialization>, EventStoreError>
    /** the current materialization of every asset partition (of the given assets, or all) */
    readonly currentMaterializations: (assets?: ReadonlyArray<AssetKey>) => Effect.Effect<ReadonlyArray<Materialization>, EventStoreError>
    /**
     * the current materialization of every asset partition of the given assets without its inputs (they are most
     * of a record), each with the digest of what it read: null for a record made before digests were kept
     */
    readonly currentRecords: (assets: ReadonlyArray<AssetKey>) => Effect.Effect<ReadonlyArray<CurrentRecord>, EventStoreError>
    /** the current materialization of exactly these asset partitions (those materialized) */
    readonly currentMaterializationsOf: (
      slots: ReadonlyArray<{ readonly asset: AssetKey; readonly partition: PartitionKey | null }>
    ) => Effect.Effect<ReadonlyArray<Materialization>, EventStoreError>
    readonly materializations: (query: MaterializationQuery) => Effect.Effect<ReadonlyArray<Materialization>, EventStoreError>
    /** the newest materialization id: a watermark that moves whenever anything is materialized */
    readonly latestMaterializationId: Effect.Effect<string | null, EventStoreError>
    readonly materialization: (id: string) => Effect.Effect<Materialization | undefined, EventStoreError>
    /** those of the ids that are materializations, in any order: a lineage walk reads a whole level at once */
    readonly materializationsById: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<Materialization>, EventStoreError>
    /** materializations that read the given one (lineage downstream) */
    readonly consumers: (producerId: string) => Effect.Effect<ReadonlyArray<Materialization>, EventStoreError>
    /** `consumers` of each of the given materializations at once, by producer id (none: absent) */
    readonly consumersOf: (producerIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, ReadonlyArray<Materialization>>, EventStoreError>
    /** asset partitions (of the given assets) whose latest attempt failed: after their latest success or fresh check */
    readonly failures: (assets: ReadonlyArray<AssetKey>) => Effect.Effect<ReadonlyArray<Failure>, EventStoreError>
    /** stores the observations whose version differs from the current one */
    readonly recordObservations: (observations: ReadonlyArray<Observation>) => Effect.Effect<void, EventStoreError>
    readonly currentObservations: (assets?: ReadonlyArray<AssetKey>) => Effect.Effect<ReadonlyArray<Observation>, EventStoreError>
    /** the keys of every dynamic partitions definition, by name, in the order they were added */
    readonly dynamicPartitions: Effect.Effect<ReadonlyMap<string, ReadonlyArray<string>>, EventStoreError>
    /** adds keys (those already there are kept as they are); returns the keys that were new */
    readonly addDynamicPartitions: (name: string, keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string>, EventStoreError>
    /** removes keys; returns the keys that were there */
    readonly removeDynamicPartitions: (name: string, keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string>, EventStoreError>
  }
>() {}
