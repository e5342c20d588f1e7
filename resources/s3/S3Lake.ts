import { Readable } from "node:stream"
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
  type _Object
} from "@aws-sdk/client-s3"
import { Upload } from "@aws-sdk/lib-storage"
import { Config, Duration, Effect, Layer, Option, Stream } from "effect"
import { Lake, LakeError, type LakeObject, type OutputVersion } from "../../runtime/lake/Lake.js"

const STAGING = ".staging"
const VERSIONS = ".versions"
export const MANIFEST_TYPE = "application/vnd.sakila-assets.manifest+json"

/** A committed output: the lake path and the fresh prefix that now holds its files. */
export interface Committed {
  readonly path: string
  /** s3://bucket/key/ of the version folder */
  readonly location: string
  readonly version: string
}

export interface S3LakeConfig {
  readonly bucket: string
  /** key prefix of the lake root inside the bucket, no leading or trailing slash ("" for the bucket root) */
  readonly prefix: string
  readonly region?: string
  /** e.g. http://127.0.0.1:4568 for an S3-compatible server; implies path-style addressing unless forcePathStyle says otherwise */
  readonly endpoint?: string
  readonly forcePathStyle?: boolean
  /** how long a superseded version stays readable for queries that started before the switch (default 1 hour) */
  readonly retention?: Duration.DurationInput
  /** multipart part size for writes (default 8 MiB, S3's minimum is 5 MiB) */
  readonly partSize?: number
  /** runs after the lake's pointers switched, e.g. to move catalog table locations; a failure fails the commit */
  readonly onCommit?: (committed: ReadonlyArray<Committed>) => Effect.Effect<void, unknown>
  /** an already-built client (tests); otherwise one is made from the settings above and the SDK's default credential chain */
  readonly client?: S3Client
}

/** The manifest a committed lake path holds: the version folder readers go to. */
interface Manifest {
  readonly manifest: 1
  readonly version: string
  /** key prefix (relative to the lake root) of the version folder, ending in "/" */
  readonly location: string
  readonly objects: ReadonlyArray<{ readonly path: string; readonly size: number; readonly etag: string }>
  readonly committedAt: string
}

export const parseS3Url = (url: string): { bucket: string; prefix: string } => {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url)
  if (m === null) throw new Error(`not an s3:// address: ${url}`)
  return { bucket: m[1]!, prefix: m[2]!.replace(/\/+$/, "") }
}

const dirOf = (path: string) => (path.includes("/") ? path.slice(0, path.lastIndexOf("/") + 1) : "")
const baseOf = (path: string) => path.slice(path.lastIndexOf("/") + 1)
const stemOf = (path: string) => baseOf(path).replace(/\.[^.]*$/, "")

/** Where the versions of a lake path live: `curated/x/year=2023/month=03/data.versions/` for `.../data.parquet`. */
export const versionsPrefix = (path: string) => `${dirOf(path)}${stemOf(path)}${VERSIONS}/`

const hidden = (path: string) => path.startsWith(`${STAGING}/`) || path.includes(`${VERSIONS}/`)

/**
 * The lake on S3. `persist` copies the staged files of an output (one object, or a folder of parts written by an
 * engine) into a version folder of its own that nobody reads yet; once the record naming it has committed, `publish`
 * switches the lake path's manifest (one PUT, atomic) and calls `onCommit` so catalog tables switch their location in
 * one step too. No reader ever sees a mix of two versions; versions that are not current are removed after the
 * retention by `cleanStaging` (the next run publishes a recorded version first, so it is current by then).
 * Plain writes (landing files, extracts) are single objects, uploaded in parts when large.
 */
export const make = (config: S3LakeConfig): Lake["Type"] => {
  const client =
    config.client ??
    new S3Client({
      ...(config.region !== undefined ? { region: config.region } : {}),
      ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle ?? config.endpoint !== undefined,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED"
    })
  const { bucket } = config
  const root = config.prefix === "" ? "" : `${config.prefix}/`
  const key = (path: string) => `${root}${path}`
  const unkey = (k: string) => k.slice(root.length)
  const retentionMs = Duration.toMillis(Duration.decode(config.retention ?? "1 hour"))
  const lakeRoot = `s3://${bucket}/${config.prefix}`

  const attempt = <A>(what: string, path: string | undefined, f: () => Promise<A>) =>
    Effect.tryPromise({
      try: f,
      catch: (cause) =>
        new LakeError({
          message: `${what}${path !== undefined ? ` ${path}` : ""} in the lake at ${lakeRoot} failed: ${(cause as Error).message ?? String(cause)}`,
          cause,
          ...(path !== undefined ? { path } : {})
        })
    })

  /**
   * every object under a key prefix, paged by the last key (ListObjects with Marker: the same on S3 and on test
   * servers, whose V2 continuation tokens need a legacy cipher)
   */
  const listKeys = async (prefix: string): Promise<Array<_Object>> => {
    const out: Array<_Object> = []
    let marker: string | undefined
    for (;;) {
      const page = await client.send(new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, ...(marker !== undefined ? { Marker: marker } : {}) }))
      const contents = page.Contents ?? []
      out.push(...contents)
      if (!page.IsTruncated || contents.length === 0) return out
      marker = contents[contents.length - 1]!.Key
    }
  }

  // URL-encoded as S3 asks, keeping "=" of Hive folders literal (S3 accepts it; some S3-compatible servers decode nothing)
  const copySource = (k: string) => `${bucket}/${k.split("/").map((s) => encodeURIComponent(s).replaceAll("%3D", "=")).join("/")}`

  const deleteKeys = async (keys: ReadonlyArray<string>) => {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000)
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }))
    }
  }

  const readManifest = async (path: string): Promise<Manifest | undefined> => {
    try {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key(path) }))
      if (got.ContentType !== MANIFEST_TYPE) {
        await got.Body?.transformToByteArray()
        return undefined
      }
      return JSON.parse(await got.Body!.transformToString()) as Manifest
    } catch (e) {
      if ((e as { name?: string }).name === "NoSuchKey") return undefined
      throw e
    }
  }

  const getBody = async (k: string) => {
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: k }))
    return { type: got.ContentType, body: got.Body as Readable }
  }

  const upload = (path: string, body: Readable) =>
    new Upload({
      client,
      params: { Bucket: bucket, Key: key(path), Body: body },
      partSize: Math.max(config.partSize ?? 8 * 1024 * 1024, 5 * 1024 * 1024),
      queueSize: 4,
      leavePartsOnError: false
    }).done()

  const chunksOf = (path: string, open: () => Promise<Readable>): Stream.Stream<Uint8Array, LakeError> =>
    Stream.unwrap(
      attempt("reading", path, open).pipe(
        Effect.map((readable) =>
          Stream.fromAsyncIterable(readable as AsyncIterable<Uint8Array>, (cause) => new LakeError({ message: `reading ${path} failed`, path, cause }))
        )
      )
    )

  /** copies each staged output (one object, or a folder of them) into the fresh version folder of its path */
  const persist = (version: string, moves: ReadonlyArray<{ readonly from: string; readonly to: string }>) =>
    Effect.gen(function* () {
      const persisted: Array<OutputVersion> = []
      for (const m of moves) {
        const staged = yield* attempt("listing staged files of", m.from, async () => {
          const exact = await listKeys(key(m.from))
          return exact.filter((o) => o.Key === key(m.from) || o.Key!.startsWith(`${key(m.from)}/`))
        })
        if (staged.length === 0) return yield* new LakeError({ message: `nothing is staged at ${m.from} to commit to ${m.to}`, path: m.from })
        const location = `${versionsPrefix(m.to)}${version}/`
        for (const o of staged) {
          const name = o.Key === key(m.from) ? baseOf(m.to) : o.Key!.slice(key(m.from).length + 1)
          yield* attempt("copying", `${location}${name}`, () =>
            client.send(new CopyObjectCommand({ Bucket: bucket, Key: key(`${location}${name}`), CopySource: copySource(o.Key!) }))
          )
        }
        persisted.push({ path: m.to, location })
      }
      yield* attempt("removing staged files of", moves[0]?.from, async () => {
        for (const m of moves) await deleteKeys((await listKeys(key(m.from))).map((o) => o.Key!).filter((k) => k === key(m.from) || k.startsWith(`${key(m.from)}/`)))
      })
      return persisted as ReadonlyArray<OutputVersion>
    })

  /** replaces each path's manifest (one PUT, atomic) with one naming its version folder, then lets `onCommit` switch the catalog */
  const publish = (versions: ReadonlyArray<OutputVersion>) =>
    Effect.gen(function* () {
      for (const v of versions) {
        const objects = yield* attempt("listing the version of", v.path, () => listKeys(key(v.location)))
        if (objects.length === 0) return yield* new LakeError({ message: `the version ${v.location} of ${v.path} holds no objects: it cannot be published`, path: v.path })
        const version = v.location.slice(versionsPrefix(v.path).length).replace(/\/$/, "")
        const manifest: Manifest = {
          manifest: 1,
          version,
          location: v.location,
          objects: objects.map((o) => ({ path: unkey(o.Key!), size: o.Size ?? 0, etag: o.ETag ?? "" })),
          committedAt: new Date().toISOString()
        }
        yield* attempt("switching", v.path, () =>
          client.send(new PutObjectCommand({ Bucket: bucket, Key: key(v.path), Body: JSON.stringify(manifest), ContentType: MANIFEST_TYPE }))
        )
      }
      if (config.onCommit !== undefined && versions.length > 0) {
        yield* config
          .onCommit(
            versions.map((v) => ({
              path: v.path,
              location: `s3://${bucket}/${key(v.location)}`,
              version: v.location.slice(versionsPrefix(v.path).length).replace(/\/$/, "")
            }))
          )
          .pipe(Effect.mapError((cause) => new LakeError({ message: `registering ${versions.map((v) => v.path).join(", ")} failed: ${messageOf(cause)}`, cause })))
      }
    })

  /** superseded or never-switched versions older than the retention; the current one always stays */
  const cleanVersions = async (now: number, keepVersions: ReadonlySet<string>) => {
    const all = await listKeys(root)
    const byFolder = new Map<string, { lakePath: string; version: string; keys: Array<string>; newest: number }>()
    for (const o of all) {
      const rel = unkey(o.Key!)
      const m = /^(.*?)([^/]*)\.versions\/([^/]+)\//.exec(rel)
      if (m === null || rel.startsWith(`${STAGING}/`)) continue
      const folder = `${m[1]}${m[2]}${VERSIONS}/${m[3]}/`
      const entry = byFolder.get(folder) ?? { lakePath: `${m[1]}${m[2]}`, version: m[3]!, keys: [], newest: 0 }
      entry.keys.push(o.Key!)
      entry.newest = Math.max(entry.newest, o.LastModified?.getTime() ?? now)
      byFolder.set(folder, entry)
    }
    const currentByStem = new Map<string, string | undefined>()
    const current = async (stemPath: string) => {
      if (!currentByStem.has(stemPath)) {
        // the manifest sits beside the versions folder, named stem + extension
        const dir = dirOf(stemPath)
        const beside = all.map((o) => unkey(o.Key!)).find((p) => dirOf(p) === dir && stemOf(p) === baseOf(stemPath) && !hidden(p))
        currentByStem.set(stemPath, beside === undefined ? undefined : (await readManifest(beside))?.version)
      }
      return currentByStem.get(stemPath)
    }
    const doomed: Array<string> = []
    let removed = 0
    for (const entry of byFolder.values()) {
      if (now - entry.newest < retentionMs) continue
      if (keepVersions.has(`${versionsPrefix(entry.lakePath)}${entry.version}/`)) continue
      if ((await current(entry.lakePath)) === entry.version) continue
      doomed.push(...entry.keys)
      removed++
    }
    await deleteKeys(doomed)
    return removed
  }

  return Lake.of({
    root: lakeRoot,
    locate: (path) => `s3://${bucket}/${key(path)}`,
    list: (prefix) =>
      attempt("listing", prefix, async () => {
        const objects: Array<LakeObject> = []
        for (const o of await listKeys(key(prefix))) {
          const path = unkey(o.Key!)
          if (hidden(path) || path.endsWith("/")) continue
          objects.push({ path, size: o.Size ?? 0, tag: o.ETag ?? `${o.Size}-${o.LastModified?.getTime()}` })
        }
        return objects.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      }),
    exists: (path) =>
      attempt("checking", path, () =>
        client.send(new HeadObjectCommand({ Bucket: bucket, Key: key(path) })).then(
          () => true,
          (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => {
            if (e.name === "NotFound" || e.$metadata?.httpStatusCode === 404) return false
            throw e
          }
        )
      ),
    write: (path, body) =>
      body instanceof Uint8Array
        ? attempt("writing", path, () => client.send(new PutObjectCommand({ Bucket: bucket, Key: key(path), Body: body }))).pipe(Effect.asVoid)
        : attempt("writing", path, () =>
            upload(path, Readable.from(Stream.toAsyncIterable(body.pipe(Stream.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))))))
          ).pipe(Effect.asVoid),
    read: (path) =>
      Stream.unwrap(
        attempt("reading", path, async () => {
          const first = await getBody(key(path))
          if (first.type !== MANIFEST_TYPE) return chunksOf(path, async () => first.body)
          const manifest = JSON.parse(Buffer.from(await (first.body as unknown as { transformToByteArray: () => Promise<Uint8Array> }).transformToByteArray()).toString()) as Manifest
          return Stream.flatMap(Stream.fromIterable(manifest.objects), (o) => chunksOf(path, async () => (await getBody(key(o.path))).body))
        })
      ),
    stagingPath: (runId, path) => `${STAGING}/${runId}/${path}`,
    persist,
    publish,
    discard: (versions) =>
      attempt("discarding", versions[0]?.location, async () => {
        for (const v of versions) await deleteKeys((await listKeys(key(v.location))).map((o) => o.Key!))
      }),
    cleanStaging: (keep, keepVersions = new Set()) =>
      attempt("cleaning staging", STAGING, async () => {
        const staged = await listKeys(key(`${STAGING}/`))
        const byRun = new Map<string, Array<string>>()
        for (const o of staged) {
          const runId = unkey(o.Key!).split("/")[1]!
          if (keep.has(runId)) continue
          byRun.set(runId, [...(byRun.get(runId) ?? []), o.Key!])
        }
        await deleteKeys([...byRun.values()].flat())
        return byRun.size + (await cleanVersions(Date.now(), keepVersions))
      }),
    remove: (path) =>
      attempt("removing", path, async () => {
        const under = (await listKeys(key(path))).map((o) => o.Key!).filter((k) => k === key(path) || k.startsWith(`${key(path)}/`))
        const versions = (await listKeys(key(versionsPrefix(path)))).map((o) => o.Key!)
        await deleteKeys([...under, ...versions])
      })
  })
}

const messageOf = (e: unknown): string =>
  typeof e === "object" && e !== null && "message" in e ? String((e as { message: unknown }).message) : String(e)

export const layer = (config: S3LakeConfig): Layer.Layer<Lake> => Layer.succeed(Lake, make(config))

/**
 * `ASSETS_LAKE=s3://bucket/prefix`, `ASSETS_S3_ENDPOINT` (S3-compatible servers, tests), `ASSETS_S3_REGION`,
 * `ASSETS_S3_RETENTION` (e.g. "1 hour"), `ASSETS_S3_PART_SIZE` (bytes). Credentials come from the SDK's default chain.
 */
export const configFrom = (url: string) =>
  Effect.gen(function* () {
    const endpoint = yield* Config.option(Config.string("ASSETS_S3_ENDPOINT"))
    const region = yield* Config.option(Config.string("ASSETS_S3_REGION"))
    const retention = yield* Config.option(Config.string("ASSETS_S3_RETENTION"))
    const partSize = yield* Config.option(Config.integer("ASSETS_S3_PART_SIZE"))
    const { bucket, prefix } = parseS3Url(url)
    return {
      bucket,
      prefix,
      ...Option.match(endpoint, { onNone: () => ({}), onSome: (e) => ({ endpoint: e }) }),
      ...Option.match(region, { onNone: () => ({}), onSome: (r) => ({ region: r }) }),
      ...Option.match(retention, { onNone: () => ({}), onSome: (r) => ({ retention: r as Duration.DurationInput }) }),
      ...Option.match(partSize, { onNone: () => ({}), onSome: (p) => ({ partSize: p }) })
    } satisfies S3LakeConfig
  })
