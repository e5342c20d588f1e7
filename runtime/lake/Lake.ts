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

/**
 * The object store the lake lives in: a local folder or an S3 prefix. Paths are relative to the lake root.
 * Writes go to staging paths and become visible only through `commit`.
 */
export class Lake extends Context.Tag("runtime/Lake")<
  Lake,
  {
    /** where the lake is, for people and engines (a folder or s3://bucket/prefix) */
    readonly root: string
    /** the address an engine reads a path at */
    readonly locate: (path: string) => string
    /** objects under a prefix, sorted by path */
    readonly list: (prefix: string) => Effect.Effect<ReadonlyArray<LakeObject>, LakeError>
    readonly exists: (path: string) => Effect.Effect<boolean, LakeError>
    /** writes an object whole: its body in one piece (small objects) or as a stream (anything large) */
    readonly write: (path: string, body: Uint8Array | Stream.Stream<Uint8Array, unknown>) => Effect.Effect<void, LakeError>
    readonly read: (path: string) => Stream.Stream<Uint8Array, LakeError>
    /** a fresh staging path for an output of a run; nothing reads staging */
    readonly stagingPath: (runId: string, path: string) => string
    /** makes staged files current, each replacing its target atomically */
    readonly commit: (moves: ReadonlyArray<{ readonly from: string; readonly to: string }>) => Effect.Effect<void, LakeError>
    /** removes staging left by runs that are no longer running; returns how many were removed */
    readonly cleanStaging: (keepRunIds: ReadonlySet<string>) => Effect.Effect<number, LakeError>
    readonly remove: (path: string) => Effect.Effect<void, LakeError>
  }
>() {}
