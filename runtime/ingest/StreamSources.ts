import { Context, Data, Duration, Layer, type Schema } from "effect"
import type { SourceDef } from "../asset/Asset.js"
import type { AssetKey } from "../asset/AssetKey.js"
import { parseDuration } from "../settings/duration.js"

/** A declaration the ingest endpoint cannot serve, reported when the layer is built. */
export class StreamSourceError extends Data.TaggedError("StreamSourceError")<{ readonly message: string }> {}

/** One source that takes records over `POST /api/streams/{source}/records`, as the project declares it. */
export interface StreamSource {
  readonly source: SourceDef<any>
  /**
   * Each record's data is parsed as JSON and decoded with this Schema: a record it refuses is rejected with the
   * first issue as its reason (and kept under the error prefix). Without one, any single line of text is accepted.
   */
  readonly schema: Schema.Schema<any, any, never> | undefined
  /** the first part of each object's name, as a Firehose delivery stream's name (default: the key, dashed) */
  readonly name: string
  /** where rejected records of an arrival month (`YYYY-MM`, UTC) go (default `ingest-errors/<key>/YYYY/MM/`) */
  readonly errorPrefix: (month: string) => string
}

/** What a project declares: the sources that take records, and the buffer's hints (settings override them). */
export interface StreamIngest {
  readonly sources: ReadonlyMap<AssetKey, StreamSource>
  /** folder of the write-ahead spool (default `.assets/spool`; ASSETS_INGEST_SPOOL) */
  readonly spool: string | undefined
  /** flush a source's buffer once it holds this many bytes (default 1 MB; ASSETS_INGEST_FLUSH_BYTES) */
  readonly flushBytes: number | undefined
  /** flush a source's buffer once its oldest record is this old (default 60 s; ASSETS_INGEST_FLUSH_INTERVAL) */
  readonly flushInterval: Duration.Duration | undefined
}

/** The project's stream declarations: present in a project's layer when some source takes records. */
export class StreamSources extends Context.Tag("runtime/StreamSources")<StreamSources, StreamIngest>() {}

const arrivalPrefix = (month: string) => `${month.slice(0, 4)}/${month.slice(5, 7)}/`

/**
 * Declares that a source takes records: the ingest endpoint buffers them and lands them under the source's own
 * `prefix` of the partition their arrival time falls in (for a monthly UTC source, `YYYY/MM/` of the arrival
 * month, as a Firehose prefixes them), so its observation sees them as new data. Sources whose files the lake
 * holds (they have a `prefix`), partitioned by time windows or not at all.
 */
export const acceptRecords = (
  source: SourceDef<any>,
  options: {
    readonly schema?: Schema.Schema<any, any, never>
    readonly name?: string
    readonly errorPrefix?: (month: string) => string
  } = {}
): StreamSource => {
  if (source.prefix === undefined) {
    throw new StreamSourceError({ message: `source '${source.key}' takes no records: it has no lake prefix to land them under (give it \`prefix\`)` })
  }
  if (source.partitions !== undefined && source.partitions._tag !== "TimeWindow") {
    throw new StreamSourceError({ message: `source '${source.key}' takes no records: records land by their arrival time, so its partitions must be time windows (or none)` })
  }
  return {
    source,
    schema: options.schema,
    name: options.name ?? source.key.replaceAll(/[_/]/g, "-"),
    errorPrefix: options.errorPrefix ?? ((month) => `ingest-errors/${source.key}/${arrivalPrefix(month)}`)
  }
}

/** The layer a project merges into its own to let sources take records (built by the server only when it serves them). */
export const streamIngest = (
  sources: ReadonlyArray<StreamSource>,
  options: { readonly spool?: string; readonly flushBytes?: number; readonly flushInterval?: Duration.DurationInput | string } = {}
): Layer.Layer<StreamSources> =>
  Layer.succeed(StreamSources, {
    sources: new Map(sources.map((s) => [s.source.key, s])),
    spool: options.spool,
    flushBytes: options.flushBytes,
    flushInterval: options.flushInterval === undefined ? undefined : parseDuration(options.flushInterval)
  })
