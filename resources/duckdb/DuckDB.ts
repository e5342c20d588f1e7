import type { DuckDBConnection } from "@duckdb/node-api"
import { availableParallelism } from "node:os"
import { Config, Context, Data, Duration, Effect, Exit, Layer, Scope } from "effect"

export class DuckDBError extends Data.TaggedError("DuckDBError")<{ readonly message: string; readonly sql?: string; readonly cause?: unknown }> {}

export interface DuckDBConfig {
  /** ":memory:" (default): the lake's files are the data, DuckDB is only the engine */
  readonly path?: string
  /** threads DuckDB runs queries on, the one each query is called on included (default: one less than the cores) */
  readonly threads?: number
  readonly memoryLimit?: string
}

/**
 * An embedded DuckDB instance. Each query takes its own connection, so independent asset partitions run in
 * parallel inside the one instance.
 */
export class DuckDB extends Context.Tag("resources/DuckDB")<
  DuckDB,
  {
    readonly run: (sql: string) => Effect.Effect<void, DuckDBError>
    /** rows with JSON-safe values (BIGINT as numbers or strings, timestamps as ISO strings) */
    readonly all: (sql: string) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, DuckDBError>
    /** raw access, for callers that need the column API */
    readonly withConnection: <A>(f: (c: DuckDBConnection) => Promise<A>) => Effect.Effect<A, DuckDBError>
    /** opens the instance now if it opens at its first query (layerOnFirstUse); otherwise it is open already */
    readonly open: Effect.Effect<void, DuckDBError>
  }
>() {}

/** DuckDB's whole message: its later lines say where in the query and what it expected. */
const wholeMessage = (e: unknown) => (e instanceof Error ? e.message : String(e)).trimEnd()

type Instance = InstanceType<typeof import("@duckdb/node-api").DuckDBInstance>

/** One instance's queries: each takes an idle connection of its own, or opens one. */
const queries = (instance: Instance, JsonDuckDBValueConverter: typeof import("@duckdb/node-api").JsonDuckDBValueConverter) =>
  Effect.gen(function* () {
    // connections are reused: opening one per query costs more than most of the queries the runtime sends
    const idle: Array<DuckDBConnection> = []
    yield* Effect.addFinalizer(() => Effect.sync(() => idle.splice(0).forEach((c) => c.closeSync())))
    const withConnection = <A>(f: (c: DuckDBConnection) => Promise<A>, sql?: string) =>
      Effect.acquireUseRelease(
        Effect.suspend(() => {
          const c = idle.pop()
          return c !== undefined
            ? Effect.succeed(c)
            : Effect.tryPromise({ try: () => instance.connect(), catch: (cause) => new DuckDBError({ message: `DuckDB connect failed: ${wholeMessage(cause)}`, cause }) })
        }),
        (c) =>
          // an interrupted fiber (a signal, a cancel) stops the query it waits for, instead of leaving it to run
          // (Effect.async's canceler, not an AbortSignal: one fewer object and listener per query)
          Effect.async<A, DuckDBError>((resume) => {
            f(c).then(
              (a) => resume(Effect.succeed(a)),
              (cause) => resume(Effect.fail(new DuckDBError({ message: wholeMessage(cause), cause, ...(sql ? { sql } : {}) })))
            )
            return Effect.sync(() => c.interrupt())
          }),
        // an interrupted query may still be winding down on its connection: that one is not reused
        (c, exit) => Effect.sync(() => (Exit.isInterrupted(exit) ? undefined : idle.length < 16 ? idle.push(c) : c.closeSync()))
      )
    const all = (sql: string) =>
      withConnection(async (c) => {
        // run() materializes the result, so its chunks are read in place rather than fetched one round trip each
        const result = await c.run(sql)
        const names = result.deduplicatedColumnNames()
        const rows: Array<Record<string, unknown>> = []
        for (let i = 0; i < result.chunkCount; i++) {
          for (const values of result.getChunk(i).convertRows(JsonDuckDBValueConverter)) {
            const row: Record<string, unknown> = {}
            names.forEach((name, j) => (row[name] = values[j]))
            rows.push(row)
          }
        }
        return rows
      }, sql)
    return { withConnection, all }
  })

const open = (path: string, options: Record<string, string>) =>
  Effect.flatMap(
    Effect.promise(() => import("@duckdb/node-api")),
    ({ DuckDBInstance, JsonDuckDBValueConverter }) =>
      Effect.acquireRelease(
        Effect.tryPromise({
          try: () => DuckDBInstance.create(path, options),
          // DuckDB says only "Failed to set config" of a setting it refuses: the message names them all
          catch: (cause) =>
            new DuckDBError({
              message: `cannot open DuckDB at ${path} with ${Object.entries(options)
                .map(([k, v]) => `${k} = ${v}`)
                .join(", ")} (ASSETS_DUCKDB_THREADS, ASSETS_DUCKDB_MEMORY_LIMIT or the project's DuckDB layer): ${wholeMessage(cause)}`,
              cause
            })
        }).pipe(Effect.timeoutFail({ duration: Duration.seconds(30), onTimeout: () => new DuckDBError({ message: "opening DuckDB timed out" }) })),
        (i) => Effect.sync(() => close(path, i))
      ).pipe(Effect.flatMap((instance) => queries(instance, JsonDuckDBValueConverter)))
  )

/**
 * Closing an in-memory instance only frees its memory and stops its threads (its data are the lake's files): that
 * is left to a timer that does not keep the process alive, so a command that exits once its work is done skips it
 * (about 10 ms), and a server or a test that goes on closes it a moment later. A database file closes at once:
 * closing checkpoints it.
 */
const close = (path: string, instance: Instance) => {
  if (path !== ":memory:") return instance.closeSync()
  setTimeout(() => {
    try {
      instance.closeSync()
    } catch {
      // nothing to do about a failed close of memory the process no longer uses
    }
  }, 0).unref()
}

/**
 * DuckDB's `threads` counts the thread a query is called on (here one of libuv's) and starts the others as workers
 * every query shares. The executor runs two asset partitions at once by default, each query on a thread of its own:
 * one thread less than the cores keeps the busy threads at the core count instead of above it (DuckDB's own default
 * is the core count). On 2 cores the whole Sakila pipeline at 1M events took 5.0 s instead of 5.6 s, and the
 * appended month 0.67 s instead of 0.72 s (bench/pipeline.ts). `threads` or ASSETS_DUCKDB_THREADS chooses otherwise.
 */
const defaultThreads = () => Math.max(1, availableParallelism() - 1)

export const make = Effect.fn("DuckDB.make")(function* (config: DuckDBConfig) {
  const options: Record<string, string> = { threads: String(config.threads ?? defaultThreads()) }
  if (config.memoryLimit !== undefined) options["memory_limit"] = config.memoryLimit
  // loaded when opened, not at the top: a command that never queries never loads DuckDB's native library (layerOnFirstUse)
  const main = yield* open(config.path ?? ":memory:", options)
  return DuckDB.of({
    run: (sql) => main.withConnection((c) => c.run(sql), sql).pipe(Effect.asVoid),
    all: main.all,
    withConnection: (f) => main.withConnection(f),
    open: Effect.void
  })
})

export const layer = (config: DuckDBConfig = {}): Layer.Layer<DuckDB, DuckDBError> => Layer.scoped(DuckDB, make(config))

/** `ASSETS_DUCKDB_THREADS`, `ASSETS_DUCKDB_MEMORY_LIMIT` */
const configured = Effect.gen(function* () {
  const threads = yield* Config.option(
    Config.integer("ASSETS_DUCKDB_THREADS").pipe(Config.validate({ message: "give a whole number of threads, at least 1", validation: (n) => n >= 1 }))
  )
  const memoryLimit = yield* Config.option(Config.string("ASSETS_DUCKDB_MEMORY_LIMIT"))
  return {
    ...(threads._tag === "Some" ? { threads: threads.value } : {}),
    ...(memoryLimit._tag === "Some" ? { memoryLimit: memoryLimit.value } : {})
  } satisfies DuckDBConfig
})

export const layerConfig = Layer.scoped(DuckDB, Effect.flatMap(configured, make))

/**
 * DuckDB opened by the first query, in the layer's scope: `list`, `status` or a materialization with nothing to
 * do never pay for loading and starting it. The settings are read when the layer is built, so a bad one fails
 * at start either way.
 */
export const layerOnFirstUse = Layer.scoped(
  DuckDB,
  Effect.gen(function* () {
    const config = yield* configured
    const scope = yield* Effect.scope
    const started = yield* Effect.cached(Scope.extend(make(config), scope))
    return DuckDB.of({
      run: (sql) => Effect.flatMap(started, (d) => d.run(sql)),
      all: (sql) => Effect.flatMap(started, (d) => d.all(sql)),
      withConnection: (f) => Effect.flatMap(started, (d) => d.withConnection(f)),
      open: Effect.asVoid(started)
    })
  })
)
