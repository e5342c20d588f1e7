import { Clock, Console, Data, Duration, Effect, Schedule } from "effect"
import { makeRng } from "../generated/rng.js"
import type { Template } from "./kdgTemplate.js"

export class GeneratorError extends Data.TaggedError("GeneratorError")<{ readonly message: string }> {}

export interface GenerateOptions {
  /** records per second */
  readonly rate: number
  readonly duration: Duration.Duration
  /** the server, e.g. http://127.0.0.1:3000 */
  readonly to: string
  readonly source: string
  readonly template: Template
  /** the fraction of records sent malformed (a strict prefix of the rendered text: never JSON) */
  readonly malformed: number
  readonly seed: number
  readonly token: string | undefined
  /** at most this many records per request (a PutRecordBatch takes 500) */
  readonly batch: number
  /** told the counts about once a second */
  readonly onProgress?: (p: GeneratorProgress) => Effect.Effect<void>
  /** told after each request: how many records the server accepted, and when the batch was made (epoch ms) */
  readonly onBatch?: (accepted: number, madeAt: number) => Effect.Effect<void>
}

export interface GeneratorProgress {
  readonly sent: number
  readonly accepted: number
  readonly rejected: number
  /** records per second since the start */
  readonly rate: number
  readonly elapsedMs: number
}

const STEP_MS = 100
const RETRIES = 3

/**
 * Sends records at a steady rate, as the Kinesis Data Generator does: every 100 ms the records due by then, in
 * batches, to `POST /api/streams/{source}/records`, counting what the server accepted and rejected. A request that
 * cannot reach the server is tried again a few times; an answer that is an error (a bad token, an unknown source)
 * stops the generator with the server's message.
 */
export const generate = Effect.fn("Generator.run")(function* (options: GenerateOptions) {
  const url = `${options.to.replace(/\/+$/, "")}/api/streams/${encodeURIComponent(options.source)}/records`
  const rng = makeRng(options.seed)
  const totalMs = Duration.toMillis(options.duration)
  const started = yield* Clock.currentTimeMillis
  const counts = { sent: 0, accepted: 0, rejected: 0 }
  const progress = (now: number): GeneratorProgress => ({ ...counts, elapsedMs: now - started, rate: now > started ? (counts.sent * 1000) / (now - started) : 0 })

  const send = (records: ReadonlyArray<{ data: string }>, madeAt: number) =>
    Effect.tryPromise({
      try: async () => {
        const res = await fetch(url, {
          method: "POST",
          headers: { "Content-Type": "application/json", ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}) },
          body: JSON.stringify({ records })
        })
        return { status: res.status, body: (await res.json().catch(() => ({}))) as { accepted?: number; rejected?: number; message?: string } }
      },
      catch: (e) => new GeneratorError({ message: `cannot reach ${url}: ${(e as Error).cause ? String((e as { cause: Error }).cause.message ?? (e as Error).cause) : (e as Error).message}: is \`assets serve\` running there?` })
    }).pipe(
      Effect.retry(Schedule.intersect(Schedule.spaced("500 millis"), Schedule.recurs(RETRIES))),
      Effect.flatMap(({ status, body }) =>
        status === 200
          ? Effect.sync(() => {
              counts.sent += records.length
              counts.accepted += body.accepted ?? 0
              counts.rejected += body.rejected ?? 0
            }).pipe(Effect.zipRight(options.onBatch?.(body.accepted ?? 0, madeAt) ?? Effect.void))
          : Effect.fail(new GeneratorError({ message: `the server answered ${status}: ${body.message ?? "no message"}` }))
      )
    )

  let generated = 0
  let lastReport = started
  for (;;) {
    const now = yield* Clock.currentTimeMillis
    const elapsed = Math.min(now - started, totalMs)
    const due = Math.floor((options.rate * elapsed) / 1000) - generated
    if (due > 0) {
      const records: Array<{ data: string }> = []
      for (let i = 0; i < due; i++) {
        const text = options.template.render(rng, now)
        records.push({ data: options.malformed > 0 && rng.next() < options.malformed ? text.slice(0, rng.int(1, Math.max(1, text.length - 1))) : text })
      }
      generated += due
      const batches: Array<typeof records> = []
      for (let i = 0; i < records.length; i += options.batch) batches.push(records.slice(i, i + options.batch))
      yield* Effect.forEach(batches, (b) => send(b, now), { concurrency: 4, discard: true })
    }
    if (options.onProgress && (now - lastReport >= 1000 || elapsed >= totalMs)) {
      lastReport = now
      yield* options.onProgress(progress(now))
    }
    if (elapsed >= totalMs) break
    yield* Effect.sleep(Duration.millis(STEP_MS))
  }
  return progress(yield* Clock.currentTimeMillis)
})

/** The progress line: `sent 120, accepted 114, rejected 6, 10.0 records/s`. */
export const progressLine = (p: GeneratorProgress) =>
  `sent ${p.sent}, accepted ${p.accepted}, rejected ${p.rejected}, ${p.rate.toFixed(1)} records/s, ${(p.elapsedMs / 1000).toFixed(0)} s`

/** Prints the progress in place on a terminal, a line every 10 s elsewhere. */
export const printProgress = () => {
  const tty = process.stdout.isTTY === true
  let last = 0
  return (p: GeneratorProgress) =>
    tty
      ? Effect.sync(() => process.stdout.write(`\r${progressLine(p)}   `))
      : p.elapsedMs - last >= 10_000
        ? Effect.sync(() => (last = p.elapsedMs)).pipe(Effect.zipRight(Console.log(progressLine(p))))
        : Effect.void
}
