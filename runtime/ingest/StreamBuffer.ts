import { join } from "node:path"
import { Clock, Config, Context, Data, Duration, Effect, FiberSet, Layer, Option, Schedule } from "effect"
import type { AssetKey } from "../asset/AssetKey.js"
import { Lake, type LakeError } from "../lake/Lake.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import type { TimeWindowPartitions } from "../partitions/TimeWindowPartitions.js"
import { durationConfig } from "../settings/duration.js"
import { checkRecord, decoderOf } from "./records.js"
import * as Spool from "./spool.js"
import { StreamSources, type StreamSource } from "./StreamSources.js"

export class UnknownStream extends Data.TaggedError("UnknownStream")<{ readonly message: string }> {}

export class SpoolError extends Data.TaggedError("SpoolError")<{ readonly message: string; readonly cause?: unknown }> {}

/** The answer for one record of a batch, in the batch's order. */
export type RecordResult = { readonly recordId: string } | { readonly rejected: string }

export interface PutResult {
  readonly accepted: number
  readonly rejected: number
  readonly records: ReadonlyArray<RecordResult>
}

/** What a flush landed: the objects written (lake paths) and how many lines went into them. */
export interface Flushed {
  readonly objects: ReadonlyArray<string>
  readonly lines: number
  readonly errors: number
}

export interface BufferSettings {
  readonly spool: string
  readonly flushBytes: number
  readonly flushInterval: Duration.Duration
}

/**
 * A buffer per source that takes records, as a Firehose delivery stream keeps one: a batch is written to the
 * source's spool and synced before it is answered, then lands in the lake when the buffer reaches its size or
 * its oldest record its age, under the source's prefix of each record's arrival month (UTC), in objects named as
 * a Firehose names them. Refused records land under the source's error prefix with their reason.
 */
export class StreamBuffer extends Context.Tag("runtime/StreamBuffer")<
  StreamBuffer,
  {
    readonly sources: ReadonlyArray<AssetKey>
    readonly settings: BufferSettings
    readonly put: (source: string, records: ReadonlyArray<unknown>) => Effect.Effect<PutResult, UnknownStream | SpoolError>
    /** lands what the buffers hold now (of one source, or all) */
    readonly flush: (source?: string) => Effect.Effect<Flushed, LakeError | SpoolError>
  }
>() {}

interface Buffered {
  readonly at: number
  readonly text: string
}

interface SourceBuffer {
  readonly spec: StreamSource
  readonly decode: ReturnType<typeof decoderOf>
  readonly dir: string
  readonly lock: Effect.Semaphore
  segment: Spool.Segment | undefined
  records: number
  lines: Array<Buffered>
  errors: Array<Buffered & { readonly reason: string }>
  bytes: number
  firstAt: number | undefined
}

/** A sealed buffer: its segment's id and file, and what it lands. */
interface Sealed {
  readonly id: string
  readonly file: string
  readonly lines: ReadonlyArray<Buffered>
  readonly errors: ReadonlyArray<Buffered & { readonly reason: string }>
}

const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7)
/** Firehose's object-name time (UTC): YYYY-MM-DD-HH-MM-SS */
const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace(/[-T:]/g, "-")
const encoder = new TextEncoder()

const spoolError = (doing: string) => (cause: unknown) =>
  new SpoolError({ message: `ingest spool: ${doing} failed: ${cause instanceof Error ? cause.message : String(cause)}`, cause })

/** The settings: ASSETS_INGEST_* over the project's declaration over the defaults (1 MB, 60 s, `.assets/spool`). */
const settingsOf = (declared: Option.Option<StreamSources["Type"]>) =>
  Effect.gen(function* () {
    const d = Option.getOrUndefined(declared)
    const stateDir = yield* Config.withDefault(Config.string("ASSETS_STATE_DIR"), ".assets")
    return {
      spool: yield* Config.withDefault(Config.string("ASSETS_INGEST_SPOOL"), d?.spool ?? join(stateDir, "spool")),
      flushBytes: yield* Config.withDefault(Config.integer("ASSETS_INGEST_FLUSH_BYTES"), d?.flushBytes ?? 1024 * 1024),
      flushInterval: yield* Config.withDefault(durationConfig("ASSETS_INGEST_FLUSH_INTERVAL"), d?.flushInterval ?? Duration.seconds(60))
    } satisfies BufferSettings
  })

/**
 * Builds the buffers of the sources the project declares (none: every source answers that it takes no records),
 * lands what a killed server left in the spool, flushes in the background, and lands what is buffered when closed.
 */
export const make = Effect.fn("StreamBuffer.make")(function* (override?: Partial<BufferSettings>) {
  const lake = yield* Lake
  const declared = yield* Effect.serviceOption(StreamSources)
  const settings: BufferSettings = { ...(yield* settingsOf(declared)), ...override }
  const specs = Option.match(declared, { onNone: () => [], onSome: (d) => [...d.sources.values()] })
  const buffers = new Map<string, SourceBuffer>()
  for (const spec of specs) {
    buffers.set(spec.source.key, {
      spec,
      decode: decoderOf(spec),
      dir: join(settings.spool, spec.source.key.replaceAll("/", "__")),
      lock: yield* Effect.makeSemaphore(1),
      segment: undefined,
      records: 0,
      lines: [],
      errors: [],
      bytes: 0,
      firstAt: undefined
    })
  }

  /** Writes a sealed segment's objects: one per arrival month for its lines, one per month for its refused records. */
  const land = (spec: StreamSource, sealed: Sealed) =>
    Effect.gen(function* () {
      const objects: Array<string> = []
      const write = (prefix: string, firstAt: number, body: Array<string>) => {
        const path = `${prefix}${spec.name}-1-${stamp(firstAt)}-${sealed.id}.jsonl`
        objects.push(path)
        return lake.write(path, encoder.encode(`${body.join("\n")}\n`))
      }
      // the partition each record's arrival falls in (acceptRecords admits time windows only), for the source's prefix
      const windows = spec.source.partitions as TimeWindowPartitions | undefined
      const partitionOf = windows === undefined ? () => "" : (item: Buffered) => windows.keyAt(windows.indexAt(item.at))
      for (const [partition, group] of groupBy(sealed.lines, partitionOf)) {
        yield* write(spec.source.prefix!(windows === undefined ? undefined : (partition as PartitionKey)), group[0]!.at, group.map((l) => l.text))
      }
      for (const [month, group] of groupBy(sealed.errors, (e) => monthOf(e.at))) {
        const at = (ms: number) => new Date(ms).toISOString()
        yield* write(
          spec.errorPrefix(month),
          group[0]!.at,
          group.map((e) => JSON.stringify({ arrivalTimestamp: at(e.at), source: spec.source.key, errorCode: "InvalidRecord", errorMessage: e.reason, rawData: e.text }))
        )
      }
      yield* Effect.tryPromise({ try: () => Spool.remove(sealed.file), catch: spoolError(`removing the landed segment ${sealed.file}`) })
      return { objects, lines: sealed.lines.length, errors: sealed.errors.length } satisfies Flushed
    })


  /** Takes what a buffer holds and starts a new segment for what comes next; undefined when it is empty. */
  const seal = (buffer: SourceBuffer) =>
    buffer.lock.withPermits(1)(
      Effect.suspend(() => {
        const segment = buffer.segment
        if (segment === undefined) return Effect.succeed(undefined)
        const sealed: Sealed = { id: segment.id, file: segment.file, lines: buffer.lines, errors: buffer.errors }
        buffer.segment = undefined
        buffer.records = 0
        buffer.lines = []
        buffer.errors = []
        buffer.bytes = 0
        buffer.firstAt = undefined
        return Effect.as(Effect.promise(() => Spool.close(segment)), sealed)
      })
    )

  // a segment that failed to land stays in the spool and is tried again at the next flush
  const retry: Array<{ spec: StreamSource; sealed: Sealed }> = []

  // what a killed server left: landed before anything new is taken; should the lake refuse, tried again like any flush
  for (const buffer of buffers.values()) {
    const left = yield* Effect.tryPromise({ try: () => Spool.leftover(buffer.dir), catch: spoolError(`reading ${buffer.dir}`) })
    for (const segment of left) {
      const lines = segment.batches.flatMap((b) => b.ok.map((text) => ({ at: b.at, text })))
      const errors = segment.batches.flatMap((b) => b.bad.map(([text, reason]) => ({ at: b.at, text, reason })))
      const sealed: Sealed = { id: segment.id, file: segment.file, lines, errors }
      yield* land(buffer.spec, sealed).pipe(
        Effect.tap((landed) => Effect.logInfo(`ingest: landed ${landed.lines} records (${landed.errors} refused) of ${buffer.spec.source.key} that the spool held from before`)),
        Effect.catchAll((e) =>
          Effect.zipRight(
            Effect.sync(() => retry.push({ spec: buffer.spec, sealed })),
            Effect.logWarning(`ingest: landing what the spool held for ${buffer.spec.source.key} failed, tried again shortly: ${e.message}`)
          )
        )
      )
    }
  }
  const flushOne = (buffer: SourceBuffer) =>
    Effect.gen(function* () {
      const pending: Array<Sealed> = []
      for (let i = retry.length - 1; i >= 0; i--) if (retry[i]!.spec === buffer.spec) pending.unshift(retry.splice(i, 1)[0]!.sealed)
      const sealed = yield* seal(buffer)
      const all = [...pending, ...(sealed === undefined ? [] : [sealed])]
      const results: Array<Flushed> = []
      for (const [i, s] of all.entries()) {
        const landed = yield* land(buffer.spec, s).pipe(
          Effect.tapError(() => Effect.sync(() => retry.push(...all.slice(i).map((x) => ({ spec: buffer.spec, sealed: x })))))
        )
        results.push(landed)
      }
      return results
    })

  const flush = (source?: string) =>
    Effect.gen(function* () {
      const chosen = source === undefined ? [...buffers.values()] : [buffers.get(source)].filter((b) => b !== undefined)
      const results = (yield* Effect.forEach(chosen, flushOne)).flat()
      return {
        objects: results.flatMap((r) => r.objects),
        lines: results.reduce((n, r) => n + r.lines, 0),
        errors: results.reduce((n, r) => n + r.errors, 0)
      } satisfies Flushed
    })

  const background = yield* FiberSet.make()
  const flushInBackground = (buffer: SourceBuffer) =>
    FiberSet.run(
      background,
      flushOne(buffer).pipe(Effect.catchAll((e) => Effect.logWarning(`ingest: landing ${buffer.spec.source.key} failed, kept in the spool and tried again: ${e.message}`)))
    )

  const put = (source: string, records: ReadonlyArray<unknown>) =>
    Effect.gen(function* () {
      const buffer = buffers.get(source)
      if (buffer === undefined) {
        const known = [...buffers.keys()]
        return yield* new UnknownStream({
          message: `source '${source}' takes no records${known.length > 0 ? `: the sources that do are ${known.join(", ")}` : ": this project declares none (streamIngest in its layer)"}`
        })
      }
      // checked before the spool's lock: the lock covers only the write and the buffer's update
      const checked = records.map((r) => checkRecord(buffer.spec, buffer.decode, r))
      const result = yield* buffer.lock.withPermits(1)(
        Effect.gen(function* () {
          const at = yield* Clock.currentTimeMillis
          const segment = buffer.segment ?? (yield* Effect.tryPromise({ try: () => Spool.openSegment(buffer.dir, at), catch: spoolError(`opening a segment in ${buffer.dir}`) }))
          buffer.segment = segment
          const ok: Array<string> = []
          const bad: Array<readonly [string, string]> = []
          const answers: Array<RecordResult> = []
          for (const c of checked) {
            if (c._tag === "Accepted") {
              ok.push(c.line)
              answers.push({ recordId: `${segment.id}-${buffer.records++}` })
            } else {
              bad.push([c.text, c.reason])
              answers.push({ rejected: c.reason })
              buffer.records++
            }
          }
          yield* Effect.tryPromise({ try: () => Spool.append(segment, { at, ok, bad }), catch: spoolError(`writing to ${segment.file}`) })
          for (const text of ok) {
            buffer.lines.push({ at, text })
            buffer.bytes += Buffer.byteLength(text) + 1
          }
          for (const [text, reason] of bad) {
            buffer.errors.push({ at, text, reason })
            buffer.bytes += Buffer.byteLength(text) + 1
          }
          if (records.length > 0) buffer.firstAt ??= at
          return { accepted: ok.length, rejected: bad.length, records: answers } satisfies PutResult
        })
      )
      if (buffer.bytes >= settings.flushBytes) yield* flushInBackground(buffer)
      return result
    })

  // the interval: a buffer whose oldest record is as old as the interval lands
  const tick = Duration.min(Duration.millis(Math.max(10, Duration.toMillis(settings.flushInterval) / 4)), Duration.seconds(1))
  yield* Effect.forkScoped(
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      for (const buffer of buffers.values()) {
        const due = buffer.firstAt !== undefined && now - buffer.firstAt >= Duration.toMillis(settings.flushInterval)
        if (due || retry.some((r) => r.spec === buffer.spec)) yield* flushInBackground(buffer)
      }
    }).pipe(Effect.repeat(Schedule.spaced(tick)))
  )
  // a clean stop lands what is buffered; should the lake refuse, the spool keeps it for the next start
  yield* Effect.addFinalizer(() => flush().pipe(Effect.ignoreLogged))

  return StreamBuffer.of({ sources: [...buffers.keys()] as Array<AssetKey>, settings, put, flush })
})

const groupBy = <A>(items: ReadonlyArray<A>, keyOf: (a: A) => string): ReadonlyMap<string, Array<A>> => {
  const out = new Map<string, Array<A>>()
  for (const item of items) {
    const key = keyOf(item)
    const group = out.get(key)
    if (group === undefined) out.set(key, [item])
    else group.push(item)
  }
  return out
}

/** The buffers over the project's declaration (StreamSources, when its layer has one) and the settings. */
export const layer = (override?: Partial<BufferSettings>) => Layer.scoped(StreamBuffer, make(override))
