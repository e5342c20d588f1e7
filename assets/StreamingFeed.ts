import { Context, type Effect } from "effect"

/**
 * The partners' stream delivery into the landing zone. In production a Firehose writes it and `prepare` does
 * nothing; the embedded default lands simulated events the first time the landing zone is read.
 */
export class StreamingFeed extends Context.Tag("assets/StreamingFeed")<
  StreamingFeed,
  { readonly describe: string; readonly prepare: Effect.Effect<void, unknown> }
>() {}

/** Landing prefix of an arrival month, as a Firehose writes it (`streaming/YYYY/MM/`). */
export const landingPrefix = (month: string): string => `landing/streaming/${month.slice(0, 4)}/${month.slice(5, 7)}/`
