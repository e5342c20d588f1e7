import { Context, Schema, type Effect } from "effect"
import type { EventStoreError } from "../events/EventStore.js"

/** What the daemon decided for an asset partition (or, partition null, for a group of its partitions). */
export const DecisionKind = Schema.Literal("run", "skip", "wait", "running")
export type DecisionKind = typeof DecisionKind.Type

export const Decision = Schema.Struct({
  asset: Schema.String,
  /** null: the asset's partitions named in the reason (e.g. every partition that is fresh), or an unpartitioned asset */
  partition: Schema.NullOr(Schema.String),
  decision: DecisionKind,
  reason: Schema.String,
  /** the run it launched, for `run` */
  runId: Schema.NullOr(Schema.String)
})
export type Decision = typeof Decision.Type

export const TickStatus = Schema.Literal("SUCCESS", "FAILURE", "TIMED_OUT", "CANCELED", "SKIPPED")
export type TickStatus = typeof TickStatus.Type

/** One evaluation of every automated asset, with what it decided for each and why. */
export const Tick = Schema.Struct({
  id: Schema.String,
  /** `host:pid` of the daemon */
  daemon: Schema.String,
  startedAt: Schema.String,
  endedAt: Schema.String,
  status: TickStatus,
  /** a line for the whole tick: what it launched, why it stopped */
  message: Schema.String,
  runIds: Schema.Array(Schema.String),
  decisions: Schema.Array(Decision)
})
export type Tick = typeof Tick.Type

/**
 * The daemon's ticks, kept in the event store: `assets ticks` and `GET /api/ticks` read them, and a cron
 * condition asks when the previous tick was. Writing a tick costs what it decided, never what came before.
 */
export class TickStore extends Context.Tag("runtime/TickStore")<
  TickStore,
  {
    readonly record: (tick: Tick) => Effect.Effect<void, EventStoreError>
    /** newest first; with `asset`, the ticks that decided something for it, with only its decisions */
    readonly ticks: (options: { readonly asset?: string; readonly before?: string; readonly limit: number }) => Effect.Effect<ReadonlyArray<Tick>, EventStoreError>
    /** the newest tick that evaluated (any daemon's): where a cron condition's window starts */
    readonly latest: Effect.Effect<Tick | undefined, EventStoreError>
  }
>() {}
