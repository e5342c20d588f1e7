import { randomBytes } from "node:crypto"
import { copyFileSync, createReadStream, linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs"
import { open, readdir, rm, stat } from "node:fs/promises"
import { basename, dirname, join, relative, resolve, sep } from "node:path"
import * as NodeStream from "@effect/platform-node/NodeStream"
import { diskRefusal } from "../fs/diskRefusal.js"
import { Chunk, Config, Duration, Effect, Layer, Stream } from "effect"
import { Lake, LakeError, type LakeObject, type OutputVersion } from "../../runtime/lake/Lake.js"

const STAGING = ".staging"
/**
 * Versions of each stable path sit beside it, hidden: `curated/x/month=03/.data.parquet~<version>`. A new path then
 * needs only the folder its stable file needs anyway: a folder of its own for the versions was one more inode per
 * new path, which on the VMs here costs from 30 µs to 0.8 ms of kernel time (bench/backfill.ts, first row), as
 * much as the file itself. The name keeps no extension at its end, so a glob over the lake for `*.parquet` never
 * matches a version; a listing leaves out any hidden name with a `~`.
 * Lakes written before keep `.versions/<encoded path>/<version><ext>` or `.versions/<path>/...`; all are read, pruned
 * and swept.
 */
const VERSIONS = ".versions"
/** the prefix a stable path's versions beside it start with: `.data.parquet~` */
const versionPrefix = (path: string) => `.${basename(path)}~`
const versionPath = (path: string, version: string) => `${path.slice(0, path.lastIndexOf("/") + 1)}${versionPrefix(path)}${version}`
/** whether a file name is a version kept beside its stable path */
const isVersionName = (name: string) => name.startsWith(".") && name.includes("~")
/** the name of the stable file a version beside it is of: `data.parquet` for `.data.parquet~<version>` */
const stableNameOf = (versionName: string) => versionName.slice(1, versionName.lastIndexOf("~"))
/** the stable path an older layout's version folder (relative to `.versions/`, with `/`) holds versions of */
const stableOf = (folder: string) => (!folder.includes("/") && folder.includes("%2F") ? decodeURIComponent(folder) : folder)

export interface LocalLakeOptions {
  /** how long a superseded version stays readable (for runs that read it as current just before); default 1 hour */
  readonly retention?: Duration.DurationInput
}

/** Every file under a folder, depth first; a missing folder is empty. */
const statOrUndefined = (file: string) => {
  try {
    // a missing file answers undefined without an exception (its stack trace cost more than the call)
    return statSync(file, { throwIfNoEntry: false })
  } catch {
    return undefined
  }
}

/** how many stats a listing has in libuv's thread pool at once */
const STATS_AT_ONCE = 256

const walk = async (dir: string): Promise<Array<string>> => {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return []
    throw e
  }
  // the folders at once: each readdir is a round trip through libuv's thread pool, which runs several together
  const files = entries.filter((e) => e.isFile()).map((e) => join(dir, e.name))
  const nested = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => walk(join(dir, e.name))))
  return files.concat(...nested)
}

/** A write refused by the file system (read-only, not permitted, full), said with its cause and the fix. */
const refusal = (lake: string, doing: string, cause: unknown): string | undefined => {
  if (typeof cause !== "object" || cause === null) return undefined
  const e = cause as NodeJS.ErrnoException
  const code = e.code === "ENOENT" && e.syscall === "mkdir" && e.path ? diskRefusal(e.path) : e.code
  switch (code) {
    case "EROFS":
      return `the lake at ${lake} is on a read-only file system (EROFS) while ${doing}: mount it writable, or set ASSETS_LAKE to a writable folder`
    case "EACCES":
    case "EPERM":
      return `this process may not write to the lake at ${lake} (${code}) while ${doing}: give its user write access to the folder, or set ASSETS_LAKE to a writable folder`
    case "ENOSPC":
    case "EDQUOT":
      return `no space left on the device of the lake at ${lake} (${code}) while ${doing}: free space on that disk, or set ASSETS_LAKE to a folder on one with room`
  }
  return undefined
}

/**
 * The lake in a local folder. A commit is a rename, which replaces its target atomically on one file system, so
 * a reader sees the old file or the new one; plain writes go through a temporary file in staging the same way.
 */
export const make = (root: string, options: LocalLakeOptions = {}): Lake["Type"] => {
  const abs = resolve(root)
  const retentionMs = Duration.toMillis(Duration.decode(options.retention ?? "1 hour"))
  // folders known to exist: most writes go to folders made before, and mkdir is a system call each time
  const made = new Set<string>()
  // stable paths whose folder this process created, each with the one version it put beside it, until that is
  // published or another goes in (so the path has no other versions to prune)
  const onlyVersion = new Map<string, string>()
  // Folder, rename and small-file calls are made synchronously: on a local disk each usually takes tens of
  // microseconds, while the thread-pool round trip of the async form costs several times that in CPU. When the disk
  // is slow they block the event loop (up to ~2 ms each was seen); measured against the async form side by side, the
  // backfill's throughput was the same either way (bench/backfill.ts, the notes of issue 5).
  const ensureDir = (dir: string) => {
    if (made.has(dir)) return
    mkdirSync(dir, { recursive: true })
    made.add(dir)
  }
  const locate = (path: string) => join(abs, path)
  const failure = (what: string, path: string | undefined) => (cause: unknown) =>
    new LakeError({
      message:
        refusal(abs, `${what}${path ? ` ${path}` : ""}`, cause) ??
        `${what}${path ? ` ${path}` : ""} in the lake at ${abs} failed: ${(cause as Error).message ?? cause}`,
      cause,
      ...(path ? { path } : {})
    })
  const attempt = <A>(what: string, path: string | undefined, f: () => Promise<A>) => Effect.tryPromise({ try: f, catch: failure(what, path) })
  // the synchronous calls (above) without a promise around them: a no-op task makes several, each a trip through
  // the microtask queue that costs more than the call (bench/runtime.ts)
  const attemptSync = <A>(what: string, path: string | undefined, f: () => A) => Effect.try({ try: f, catch: failure(what, path) })

  /**
   * A hard link of the version replaces the stable path in one rename (no copy; a reader sees the old file or the
   * new one). Then the path's older versions go, except the one just replaced and any younger than the retention:
   * a run that read the replaced version as current a moment ago may still be reading it.
   */
  const publishOne = (v: OutputVersion) => {
    const source = locate(v.location)
    const target = locate(v.path)
    const before = statOrUndefined(target)
    if (before === undefined) {
      // nothing shown there yet: the link creates the stable path whole, in one call (no temporary name)
      ensureDir(dirname(target))
      let linked = false
      try {
        linkSync(source, target)
        linked = true
      } catch {
        // taken meanwhile, or no hard links here: the general way below
      }
      if (linked) {
        // a path whose folder this process made has no other version: nothing to prune
        const only = onlyVersion.get(v.path) === v.location
        onlyVersion.delete(v.path)
        if (!only) prune(v.path, source, undefined)
        return
      }
    }
    const fresh = statSync(source)
    if (before?.ino === fresh.ino && before.dev === fresh.dev) return
    ensureDir(dirname(target))
    const tmp = locate(`${STAGING}/_writes/${randomBytes(8).toString("hex")}`)
    ensureDir(dirname(tmp))
    try {
      linkSync(source, tmp)
    } catch {
      // a file system without hard links: a copy, still switched in by the rename
      copyFileSync(source, tmp)
    }
    renameSync(tmp, target)
    onlyVersion.delete(v.path)
    prune(v.path, source, before)
  }

  /**
   * removes the versions of `path` past the retention, except `source` and the one `before` was: those beside it,
   * and those an older layout kept in a folder of their own (a stat each when there is none)
   */
  const prune = (path: string, source: string, before: ReturnType<typeof statOrUndefined>) => {
    const beside = versionPrefix(path)
    pruneIn(dirname(locate(path)), (name) => name.startsWith(beside), source, before)
    const flat = encodeURIComponent(path)
    for (const folder of flat.length <= 200 ? [`${VERSIONS}/${flat}`, `${VERSIONS}/${path}`] : [`${VERSIONS}/${path}`]) {
      if (statOrUndefined(locate(folder))?.isDirectory() === true) pruneIn(locate(folder), () => true, source, before)
    }
  }

  const pruneIn = (folder: string, isVersion: (name: string) => boolean, source: string, before: ReturnType<typeof statOrUndefined>) => {
    const now = Date.now()
    for (const name of readdirSync(folder)) {
      const file = join(folder, name)
      if (file === source || !isVersion(name)) continue
      const s = statOrUndefined(file)
      if (s === undefined || !s.isFile() || (before !== undefined && s.ino === before.ino && s.dev === before.dev)) continue
      if (now - s.mtimeMs > retentionMs) unlinkSync(file)
    }
  }

  /**
   * Versions past the retention that their stable path does not show and no pending record names: what a run
   * left when it died before its record. The stable path's own file is a hard link of its current version. The
   * whole lake is walked (versions sit beside their paths), as often as a dead run's staging is found.
   */
  const sweepVersions = (keepVersions: ReadonlySet<string>): number => {
    let removed = 0
    const now = Date.now()
    const versionsRoot = locate(VERSIONS)
    const visit = (dir: string, inVersions: boolean) => {
      let entries
      try {
        entries = readdirSync(dir, { withFileTypes: true })
      } catch {
        return
      }
      for (const e of entries) {
        const file = join(dir, e.name)
        if (e.isDirectory()) {
          if (file !== locate(STAGING)) visit(file, inVersions || file === versionsRoot)
          continue
        }
        if (!inVersions && !isVersionName(e.name)) continue
        const location = relative(abs, file).split(sep).join("/")
        const stable = inVersions
          ? stableOf(relative(versionsRoot, dir).split(sep).join("/"))
          : relative(abs, join(dir, stableNameOf(e.name))).split(sep).join("/")
        const s = statOrUndefined(file)
        if (s === undefined || now - s.mtimeMs <= retentionMs || keepVersions.has(location)) continue
        const shown = statOrUndefined(locate(stable))
        if (shown?.ino === s.ino && shown.dev === s.dev) continue
        unlinkSync(file)
        removed++
      }
    }
    visit(abs, false)
    return removed
  }

  return Lake.of({
    root: abs,
    locate,
    list: (prefix) =>
      attempt("listing", prefix, async () => {
        // a prefix may end inside a name (landing/streaming/2023/0): walk the folder that holds it
        const folder = prefix.endsWith("/") || prefix === "" ? prefix : dirname(prefix)
        const listed = (await walk(locate(folder)))
          .map((file) => ({ file, path: relative(abs, file).split(sep).join("/") }))
          .filter(({ path }) => path.startsWith(prefix) && !path.startsWith(`${STAGING}/`) && !path.startsWith(`${VERSIONS}/`) && !isVersionName(basename(path)))
        // the files' stats several at once too, a few hundred at a time however many files there are (127 landing
        // files: 12-17 ms one after another, 3-7 ms so)
        const objects: Array<LakeObject> = []
        for (let at = 0; at < listed.length; at += STATS_AT_ONCE) {
          const batch = listed.slice(at, at + STATS_AT_ONCE)
          const stats = await Promise.all(batch.map(({ file }) => stat(file)))
          batch.forEach(({ path }, i) => objects.push({ path, size: stats[i]!.size, tag: `${stats[i]!.size}-${Math.floor(stats[i]!.mtimeMs)}` }))
        }
        return objects.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      }),
    exists: (path) => attempt("checking", path, () => stat(locate(path)).then(() => true, () => false)),
    write: (path, body) =>
      Effect.gen(function* () {
        // nothing reads staging, so a staged file is written in place; elsewhere through a temporary file and a rename
        const staged = path.startsWith(`${STAGING}/`)
        const target = locate(path)
        const tmp = staged ? target : locate(`${STAGING}/_writes/${randomBytes(8).toString("hex")}`)
        const publish = () => {
          if (staged) return
          ensureDir(dirname(target))
          renameSync(tmp, target)
        }
        if (body instanceof Uint8Array) {
          return yield* attemptSync("writing", path, () => {
            ensureDir(dirname(tmp))
            try {
              writeFileSync(tmp, body)
            } catch (e) {
              rmSync(tmp, { force: true })
              throw e
            }
            publish()
          })
        }
        yield* attempt("preparing", path, async () => ensureDir(dirname(tmp)))
        // a stream's chunks are written as they come through a file handle, so a large stream never sits in memory
        const handle = yield* attempt("opening", path, () => open(tmp, "w"))
        const written = yield* Stream.runForEachChunk(
          body.pipe(Stream.mapError((cause) => new LakeError({ message: `writing ${path} failed: ${String(cause)}`, path, cause }))),
          (chunk) => attempt("writing", path, () => handle.writev(Chunk.toArray(chunk)))
        ).pipe(
          Effect.ensuring(Effect.promise(() => handle.close())),
          Effect.either
        )
        if (written._tag === "Left") {
          yield* Effect.promise(() => rm(tmp, { force: true }))
          return yield* Effect.fail(written.left)
        }
        yield* attempt("committing", path, async () => publish())
      }),
    read: (path) =>
      NodeStream.fromReadable<LakeError, Uint8Array>(
        () => createReadStream(locate(path)),
        (cause) => new LakeError({ message: `reading ${path} failed`, path, cause })
      ),
    // one flat folder per run: a staged output needs no folders of its own, only its run's (made once)
    stagingPath: (runId, path) => `${STAGING}/${runId}/${encodeURIComponent(path)}`,
    persist: (version, moves) =>
      attemptSync("persisting", moves[0]?.to, () =>
        moves.map((m) => {
          const location = versionPath(m.to, version)
          const folder = dirname(locate(location))
          onlyVersion.delete(m.to)
          if (!made.has(folder)) {
            // made now (not there before): this version is the path's only one, so publishing has nothing to prune
            if (mkdirSync(folder, { recursive: true }) !== undefined) onlyVersion.set(m.to, location)
            made.add(folder)
          }
          renameSync(locate(m.from), locate(location))
          return { path: m.to, location }
        })
      ),
    publish: (versions) =>
      attemptSync("publishing", versions[0]?.path, () => {
        for (const v of versions) publishOne(v)
      }),
    discard: (versions) =>
      attemptSync("discarding", versions[0]?.location, () => {
        for (const v of versions) rmSync(locate(v.location), { force: true })
      }),
    cleanStaging: (keep, keepVersions = new Set()) =>
      attempt("cleaning staging", STAGING, async () => {
        let removed = 0
        let entries: Array<string> = []
        try {
          entries = await readdir(locate(STAGING))
        } catch {
          return 0
        }
        for (const e of entries) {
          if (e === "_writes" || keep.has(e)) continue
          await rm(locate(`${STAGING}/${e}`), { recursive: true, force: true })
          made.clear()
          removed++
        }
        // a run that died between persisting an output and recording it left a version no record names
        if (removed > 0) removed += sweepVersions(keepVersions)
        return removed
      }),
    remove: (path) =>
      attempt("removing", path, async () => {
        await rm(locate(path), { recursive: true, force: true })
        made.clear()
      })
  })
}

export const layer = (root: string, options: LocalLakeOptions = {}): Layer.Layer<Lake> => Layer.succeed(Lake, make(root, options))

/** The lake at `root`; `ASSETS_LAKE_RETENTION` (e.g. "10 minutes") sets how long superseded versions stay. */
export const layerConfig = (root: string): Layer.Layer<Lake, unknown> =>
  Layer.effect(
    Lake,
    Effect.map(Config.option(Config.string("ASSETS_LAKE_RETENTION")), (retention) =>
      make(root, retention._tag === "Some" ? { retention: retention.value as Duration.DurationInput } : {})
    )
  )
