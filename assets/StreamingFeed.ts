import { Context, type Effect } from "effect"

/**
 * The partners' stream delivery into the landing zone. In production a Firehose writes it and `prepare` does
 * nothing; the demo's simulated feed (`ASSETS_STREAM_FEED=simulated`) lands simulated events into an empty
 * landing zone when a runner starts. Observing the landing zone never writes.
 */
export class StreamingFeed extends Context.Tag("assets/StreamingFeed")<
  StreamingFeed,
  { readonly describe: string; readonly prepare: Effect.Effect<void, unknown> }
>() {}

/** Landing prefix of an arrival month, as a Firehose writes it (`streaming/YYYY/MM/`). */
export const landingPrefix = (month: string): string => `landing/streaming/${month.slice(0, 4)}/${month.slice(5, 7)}/`
