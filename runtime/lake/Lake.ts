import { Context, Data, type Effect, type Stream } from "effect"

export class LakeError extends Data.TaggedError("LakeError")<{
  readonly message: string
  readonly path?: string
  readonly cause?: unknown
}> {}

export interface LakeObject {
  readonly path: string
  readonly size: number
  /** changes whenever the content does (an etag, or mtime and size on a file system) */
  readonly tag: string
}

/** One output of a materialization: the stable path outside readers use, and the immutable version holding it. */
export interface OutputVersion {
  readonly path: string
  /** where this version lives, unique to its materialization; the engine reads it there */
  readonly location: string
}

/**
 * The object store the lake lives in: a local folder or an S3 prefix. Paths are relative to the lake root.
 *
 * An output goes through three steps, so that the event store's record is the commit point: it is written to a
 * staging path; `persist` makes it a version of its stable path, unique to its materialization and invisible to
 * readers of the stable path; after the record that names the version has committed, `publish` makes the stable
 * path show it. Publishing is idempotent and redone by the next run if a crash cut it short, so what outside
 * readers see at a stable path is always a version some record names.
 */
export class Lake extends Context.Tag("runtime/Lake")<
  Lake,
  {
    /** where the lake is, for people and engines (a folder or s3://bucket/prefix) */
    readonly root: string
    /** the address an engine reads a path at */
    readonly locate: (path: string) => string
    /** objects under a prefix, sorted by path (staging and versions are never listed) */
    readonly list: (prefix: string) => Effect.Effect<ReadonlyArray<LakeObject>, LakeError>
    readonly exists: (path: string) => Effect.Effect<boolean, LakeError>
    /** writes an object whole: its body in one piece (small objects) or as a stream (anything large) */
    readonly write: (path: string, body: Uint8Array | Stream.Stream<Uint8Array, unknown>) => Effect.Effect<void, LakeError>
    readonly read: (path: string) => Stream.Stream<Uint8Array, LakeError>
    /** a fresh staging path for an output of a run; nothing reads staging */
    readonly stagingPath: (runId: string, path: string) => string
    /** turns staged files into versions named `version` (a materialization id) of their stable paths */
    readonly persist: (
      version: string,
      moves: ReadonlyArray<{ readonly from: string; readonly to: string }>
    ) => Effect.Effect<ReadonlyArray<OutputVersion>, LakeError>
    /** makes each stable path show its version, atomically per path; publishing a version again changes nothing */
    readonly publish: (versions: ReadonlyArray<OutputVersion>) => Effect.Effect<void, LakeError>
    /** removes versions no record will name (their record failed) */
    readonly discard: (versions: ReadonlyArray<OutputVersion>) => Effect.Effect<void, LakeError>
    /**
     * removes staging left by runs that are no longer running, and versions past their retention that their stable
     * path does not show, except `keepVersions` (locations that records name but publishing has not reached)
     */
    readonly cleanStaging: (keepRunIds: ReadonlySet<string>, keepVersions?: ReadonlySet<string>) => Effect.Effect<number, LakeError>
    readonly remove: (path: string) => Effect.Effect<void, LakeError>
  }
>() {}
