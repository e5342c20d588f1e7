import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type ColumnInfo,
  type Row
} from "@aws-sdk/client-athena"
import { Config, Context, Data, Duration, Effect, Layer, Option, Schedule } from "effect"

export class AthenaError extends Data.TaggedError("AthenaError")<{
  readonly message: string
  readonly queryId?: string
  readonly sql?: string
  readonly cause?: unknown
}> {}

export interface AthenaConfig {
  readonly region?: string
  /** an Athena-protocol endpoint (tests); the SDK's regional endpoint otherwise */
  readonly endpoint?: string
  readonly workgroup: string
  readonly database: string
  /** s3://bucket/prefix/ where Athena writes query results */
  readonly resultsLocation: string
  /** a query that scans more is stopped (on top of the workgroup's own cutoff); default 10 GB */
  readonly bytesScannedCutoff: number
  /** US dollars per TB scanned, for the cost recorded with each materialization; default 5 */
  readonly pricePerTB: number
  readonly queryTimeout: Duration.DurationInput
  /** first poll delay; doubles up to 5 s */
  readonly pollInterval: Duration.DurationInput
  /** attempts the SDK makes itself before this adapter's own backoff takes over */
  readonly sdkMaxAttempts?: number
}

export interface QueryRun {
  readonly queryId: string
  readonly bytesScanned: number
  readonly engineMillis: number
}

export interface QueryResult {
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string }>
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>
}

const THROTTLES = new Set(["ThrottlingException", "TooManyRequestsException", "ProvisionedThroughputExceededException", "SlowDown"])
const isThrottle = (e: unknown) => THROTTLES.has((e as { name?: string }).name ?? "")

/** Minimum billed per query: 10 MB. */
const MIN_BILLED = 10 * 1024 * 1024
export const costOf = (bytes: number, pricePerTB: number) => (bytes === 0 ? 0 : (Math.max(bytes, MIN_BILLED) / 1e12) * pricePerTB)

/**
 * Athena's query API: start in the workgroup, poll with backoff until done (stopping a query that runs past the
 * timeout or scans past the cutoff), read results page by page. Throttling answers are retried with backoff; a
 * failed query surfaces Athena's own reason and the query id.
 */
export class AthenaQueries extends Context.Tag("resources/AthenaQueries")<
  AthenaQueries,
  {
    readonly config: AthenaConfig
    readonly run: (sql: string) => Effect.Effect<QueryRun, AthenaError>
    readonly results: (queryId: string) => Effect.Effect<QueryResult, AthenaError>
  }
>() {}

export const make = Effect.fn("AthenaQueries.make")(function* (config: AthenaConfig) {
  const client = yield* Effect.acquireRelease(
    Effect.sync(
      () =>
        new AthenaClient({
          ...(config.region !== undefined ? { region: config.region } : {}),
          ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
          ...(config.sdkMaxAttempts !== undefined ? { maxAttempts: config.sdkMaxAttempts } : {})
        })
    ),
    (c) => Effect.sync(() => c.destroy())
  )

  const send = <A>(what: string, f: () => Promise<A>, queryId?: string) =>
    Effect.tryPromise({
      try: f,
      catch: (cause) =>
        new AthenaError({ message: `Athena ${what} failed: ${(cause as Error).message ?? String(cause)}`, cause, ...(queryId ? { queryId } : {}) })
    }).pipe(
      Effect.retry({
        while: (e) => isThrottle(e.cause),
        schedule: Schedule.exponential("200 millis", 2).pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(8)))
      })
    )

  const stop = (queryId: string) => send("StopQueryExecution", () => client.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId })), queryId).pipe(Effect.ignore)

  const run = (sql: string) =>
    Effect.gen(function* () {
      const started = yield* send("StartQueryExecution", () =>
        client.send(
          new StartQueryExecutionCommand({
            QueryString: sql,
            WorkGroup: config.workgroup,
            QueryExecutionContext: { Database: config.database },
            ResultConfiguration: { OutputLocation: config.resultsLocation }
          })
        )
      )
      const queryId = started.QueryExecutionId!
      const deadline = Date.now() + Duration.toMillis(Duration.decode(config.queryTimeout))
      let delay = Duration.toMillis(Duration.decode(config.pollInterval))
      // an interrupted run (a signal, a cancel) stops its query on Athena too, instead of leaving it to scan on
      const poll = Effect.gen(function* () {
        for (;;) {
          const got = yield* send("GetQueryExecution", () => client.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId })), queryId)
          const q = got.QueryExecution!
          const state = q.Status?.State
          const bytes = q.Statistics?.DataScannedInBytes ?? 0
          if (state === "SUCCEEDED") return { queryId, bytesScanned: bytes, engineMillis: q.Statistics?.EngineExecutionTimeInMillis ?? 0 }
          if (state === "FAILED" || state === "CANCELLED") {
            const reason = q.Status?.AthenaError?.ErrorMessage ?? q.Status?.StateChangeReason ?? "no reason given"
            return yield* new AthenaError({ message: `Athena query ${queryId} ${state}: ${reason}`, queryId, sql })
          }
          if (bytes > config.bytesScannedCutoff) {
            yield* stop(queryId)
            return yield* new AthenaError({
              message: `Athena query ${queryId} stopped: it scanned ${bytes} bytes, over the cutoff of ${config.bytesScannedCutoff} (ASSETS_ATHENA_BYTES_CUTOFF)`,
              queryId,
              sql
            })
          }
          if (Date.now() > deadline) {
            yield* stop(queryId)
            return yield* new AthenaError({
              message: `Athena query ${queryId} stopped: still ${state} after ${Duration.format(Duration.decode(config.queryTimeout))} (ASSETS_ATHENA_TIMEOUT)`,
              queryId,
              sql
            })
          }
          yield* Effect.sleep(Duration.millis(delay))
          delay = Math.min(delay * 2, 5000)
        }
      })
      return yield* poll.pipe(Effect.onInterrupt(() => stop(queryId)))
    })

  const results = (queryId: string) =>
    Effect.gen(function* () {
      let columns: ReadonlyArray<ColumnInfo> = []
      const rows: Array<ReadonlyArray<string | null>> = []
      let token: string | undefined
      let first = true
      do {
        const page = yield* send(
          "GetQueryResults",
          () => client.send(new GetQueryResultsCommand({ QueryExecutionId: queryId, MaxResults: 1000, ...(token !== undefined ? { NextToken: token } : {}) })),
          queryId
        )
        if (first) columns = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []
        let data: ReadonlyArray<Row> = page.ResultSet?.Rows ?? []
        // a SELECT's first page starts with the header row
        if (first && columns.length > 0 && data.length > 0 && data[0]!.Data?.every((d, i) => d.VarCharValue === columns[i]?.Name)) data = data.slice(1)
        for (const r of data) rows.push((r.Data ?? []).map((d) => d.VarCharValue ?? null))
        token = page.NextToken
        first = false
      } while (token !== undefined)
      return { columns: columns.map((c) => ({ name: c.Name ?? "", type: c.Type ?? "varchar" })), rows }
    })

  return AthenaQueries.of({ config, run, results })
})

export const layer = (config: AthenaConfig): Layer.Layer<AthenaQueries> => Layer.scoped(AthenaQueries, make(config))

/**
 * `ASSETS_ATHENA_WORKGROUP` (primary), `ASSETS_ATHENA_DATABASE` (sakila), `ASSETS_ATHENA_RESULTS` (s3://...; default
 * `_athena-results/` under the lake), `ASSETS_ATHENA_ENDPOINT`, `ASSETS_ATHENA_REGION`, `ASSETS_ATHENA_BYTES_CUTOFF`
 * (10 GB), `ASSETS_ATHENA_PRICE_PER_TB` (5), `ASSETS_ATHENA_TIMEOUT` (30 minutes). Credentials: the SDK's default chain.
 */
export const configFrom = (lakeUrl: string) =>
  Effect.gen(function* () {
    const endpoint = yield* Config.option(Config.string("ASSETS_ATHENA_ENDPOINT"))
    const region = yield* Config.option(Config.string("ASSETS_ATHENA_REGION"))
    return {
      ...Option.match(endpoint, { onNone: () => ({}), onSome: (e) => ({ endpoint: e }) }),
      ...Option.match(region, { onNone: () => ({}), onSome: (r) => ({ region: r }) }),
      workgroup: yield* Config.withDefault(Config.string("ASSETS_ATHENA_WORKGROUP"), "primary"),
      database: yield* Config.withDefault(Config.string("ASSETS_ATHENA_DATABASE"), "sakila"),
      resultsLocation: yield* Config.withDefault(Config.string("ASSETS_ATHENA_RESULTS"), `${lakeUrl.replace(/\/+$/, "")}/_athena-results/`),
      bytesScannedCutoff: yield* Config.withDefault(Config.number("ASSETS_ATHENA_BYTES_CUTOFF"), 10e9),
      pricePerTB: yield* Config.withDefault(Config.number("ASSETS_ATHENA_PRICE_PER_TB"), 5),
      queryTimeout: (yield* Config.withDefault(Config.string("ASSETS_ATHENA_TIMEOUT"), "30 minutes")) as Duration.DurationInput,
      pollInterval: "250 millis"
    } satisfies AthenaConfig
  })
