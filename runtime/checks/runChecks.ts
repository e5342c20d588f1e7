import { Effect, Either } from "effect"
import type { AnyAssetDef, AssetDef, InputFiles, SqlContext } from "../asset/Asset.js"
import { Engine } from "../engine/Engine.js"
import { EventStore } from "../events/EventStore.js"
import { newId } from "../events/ids.js"
import type { Materialization } from "../events/records.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import type { AttachedCheck, CheckContext, CheckOutcome, CheckSqlContext, PreviousOutputs } from "./Check.js"
import type { CheckResult } from "./CheckResult.js"

/** One asset partition's output as its checks read it, with what they may compare it to. */
export interface CheckTarget {
  readonly asset: AssetDef<any, any>
  readonly partition: PartitionKey | null
  /** the materialization the output belongs to (recorded or about to be) */
  readonly materializationId: string
  readonly runId: string | null
  /** the output of this partition: its staged file before publishing, its recorded version after */
  readonly output: InputFiles
  readonly rowCount: number
  readonly sideOutputs: Readonly<Record<string, { readonly files: InputFiles; readonly rows: number }>>
  /** the asset's inputs (at least those the checks read), by their name in deps */
  readonly inputs: Readonly<Record<string, InputFiles>>
  readonly window: SqlContext["window"]
  /** default: all the asset's checks */
  readonly checks?: ReadonlyArray<AttachedCheck>
  /** the values of `scannedCounts(asset)`, when the engine counted them while it checked the output */
  readonly counted?: ReadonlyArray<number> | undefined
}

/** The `count` aggregates of an asset's SQL checks, in order: what an engine may count in its scan of the output. */
export const scannedCounts = (asset: AssetDef<any, any>): ReadonlyArray<string> =>
  asset.checks.flatMap((c) => (c.body._tag === "Sql" && c.body.count !== undefined ? [c.body.count] : []))

/** Failing rows kept with a result: enough to see what is wrong, small enough for every status read. */
export const SAMPLE_ROWS = 5

const messageOf = (e: unknown): string =>
  e instanceof Error ? e.message : typeof e === "object" && e !== null && "message" in e ? String((e as { message: unknown }).message) : String(e)

/**
 * Runs the checks of one asset partition and returns their results (nothing is recorded here). The SQL checks go
 * to the engine as one query counting each one's failing rows; only a failing check costs a second query, for its
 * sample. A check that cannot run (bad SQL, a failing Effect) fails, saying why.
 */
export const runChecks = Effect.fn("Checks.run")(function* (target: CheckTarget) {
  const checks = target.checks ?? target.asset.checks
  if (checks.length === 0) return [] as ReadonlyArray<CheckResult>
  const engine = yield* Engine
  const store = yield* EventStore
  const at = new Date().toISOString()

  const relations = Either.try(() => ({
    output: engine.relation(target.output),
    sides: Object.fromEntries(Object.entries(target.sideOutputs).map(([n, s]) => [n, engine.relation(s.files)])),
    inputs: Object.fromEntries(Object.entries(target.inputs).map(([n, f]) => [n, engine.relation(f)]))
  }))
  // an engine that cannot read one of them fails every check, saying why
  const unreadable: unknown = Either.isLeft(relations) ? relations.left : undefined
  const sqlContext: CheckSqlContext | undefined = Either.isLeft(relations)
    ? undefined
    : {
        output: relations.right.output,
        sideOutputs: relations.right.sides,
        inputs: relations.right.inputs,
        input: (asset) => {
          const key = typeof asset === "string" ? asset : asset.key
          const name = Object.entries(target.asset.deps).find(([n, d]) => n === key || d.asset.key === key)?.[0]
          const relation = name === undefined ? undefined : relations.right.inputs[name]
          if (relation === undefined) throw new Error(`${key} is not an input of ${target.asset.key}`)
          return relation
        },
        partition: target.partition ?? undefined,
        window: target.window
      }

  const previous = yield* Effect.cached(previousOutputs(store, target))
  const result = (check: AttachedCheck, outcome: CheckOutcome, durationMs: number): CheckResult => ({
    id: newId("k"),
    asset: target.asset.key,
    partition: target.partition,
    check: check.name,
    checkVersion: check.version,
    severity: check.severity,
    blocking: check.blocking,
    status: outcome.passed ? "PASSED" : check.severity === "error" ? "FAILED" : "WARNED",
    materializationId: target.materializationId,
    runId: target.runId,
    failingRows: outcome.failingRows ?? null,
    sample: outcome.sample ?? [],
    message: outcome.message ?? (outcome.passed ? "passed" : "failed"),
    metadata: outcome.metadata ?? {},
    at,
    durationMs
  })
  const couldNotRun = (e: unknown): CheckOutcome => ({ passed: false, message: `could not run: ${messageOf(e).split("\n").slice(0, 3).join(" ")}` })

  // SQL checks: rendered, then counted together
  const sqlChecks = checks.filter((c) => c.body._tag === "Sql")
  const rendered = sqlChecks.map((check) => ({
    check,
    sql:
      sqlContext === undefined
        ? Either.left<unknown>(unreadable)
        : Either.try(() => (check.body as Extract<AttachedCheck["body"], { _tag: "Sql" }>).sql(sqlContext))
  }))
  const counts = new Map<string, Either.Either<number, unknown>>()
  // counted already, in the engine's scan of the output
  const scanned = checks.filter((c) => c.body._tag === "Sql" && c.body.count !== undefined)
  if (target.checks === undefined && target.counted !== undefined && target.counted.length === scanned.length) {
    scanned.forEach((c, i) => counts.set(c.name, Either.right(target.counted![i]!)))
  }
  const runnable = rendered.flatMap((r) => (Either.isRight(r.sql) && !counts.has(r.check.name) ? [{ check: r.check, sql: r.sql.right }] : []))
  const t0 = Date.now()
  if (runnable.length > 0) {
    const all = yield* Effect.either(engine.query(countingQuery(sqlContext!.output, runnable)))
    if (Either.isRight(all)) {
      runnable.forEach((r, i) => counts.set(r.check.name, Either.right(Number(all.right[0]?.[`c${i}`] ?? 0))))
    } else {
      // one of them does not run: each alone, to say which
      for (const r of runnable) {
        const one = yield* Effect.either(engine.query(`SELECT CAST(count(*) AS BIGINT) AS n FROM (${r.sql}) AS failing`))
        counts.set(r.check.name, Either.map(one, (rows) => Number(rows[0]?.["n"] ?? 0)))
      }
    }
  }
  const sqlTime = Date.now() - t0
  const sqlResults: Array<CheckResult> = []
  for (const r of rendered) {
    if (Either.isLeft(r.sql)) {
      sqlResults.push(result(r.check, couldNotRun(r.sql.left), 0))
      continue
    }
    const count = counts.get(r.check.name)!
    if (Either.isLeft(count)) {
      sqlResults.push(result(r.check, couldNotRun(count.left), sqlTime))
      continue
    }
    const n = count.right
    if (n === 0) {
      sqlResults.push(result(r.check, { passed: true, failingRows: 0, message: "no failing rows" }, sqlTime))
      continue
    }
    const sample = yield* engine.query(`SELECT * FROM (${r.sql.right}) AS failing LIMIT ${SAMPLE_ROWS}`).pipe(Effect.orElseSucceed(() => []))
    sqlResults.push(result(r.check, { passed: false, failingRows: n, sample, message: `${n} failing row${n === 1 ? "" : "s"}` }, sqlTime))
  }

  // Effect checks: each on its own
  const effectResults = yield* Effect.forEach(
    checks.filter((c) => c.body._tag === "Effect"),
    (check) =>
      Effect.gen(function* () {
        if (sqlContext === undefined) return result(check, couldNotRun(unreadable), 0)
        const ctx: CheckContext = {
          ...sqlContext,
          asset: target.asset.key,
          rowCount: target.rowCount,
          sideOutputRows: Object.fromEntries(Object.entries(target.sideOutputs).map(([n, s]) => [n, s.rows])),
          previous
        }
        const started = Date.now()
        const outcome = yield* Effect.suspend(() => (check.body as Extract<AttachedCheck["body"], { _tag: "Effect" }>).run(ctx)).pipe(
          Effect.catchAllCause((cause) => Effect.succeed(couldNotRun(cause._tag === "Fail" ? cause.error : cause))),
          Effect.provideService(Engine, engine)
        )
        return result(check, outcome, Date.now() - started)
      })
  )
  // in the order the asset lists its checks
  const byName = new Map([...sqlResults, ...effectResults].map((r) => [r.check, r]))
  return checks.map((c) => byName.get(c.name)!)
})

/**
 * One query counting every SQL check's failing rows: the checks with a `count` aggregate in one scan of the output,
 * the others as subqueries of their own (column c<i> for the i-th check).
 */
const countingQuery = (output: string, checks: ReadonlyArray<{ readonly check: AttachedCheck; readonly sql: string }>): string => {
  const countOf = (c: AttachedCheck) => (c.body._tag === "Sql" ? c.body.count : undefined)
  const scanned = checks.flatMap((r, i) => (countOf(r.check) === undefined ? [] : [`CAST(${countOf(r.check)} AS BIGINT) AS c${i}`]))
  const alone = checks.flatMap((r, i) => (countOf(r.check) !== undefined ? [] : [`(SELECT CAST(count(*) AS BIGINT) FROM (${r.sql}) AS failing_${i}) AS c${i}`]))
  if (scanned.length === 0) return `SELECT ${alone.join(", ")}`
  const scan = `SELECT ${scanned.join(", ")} FROM ${output} AS checked_output`
  return alone.length === 0 ? scan : `SELECT scanned.*, ${alone.join(", ")} FROM (${scan}) AS scanned`
}

/** The materialization of the partition before the checked one, and the current one of the nearest earlier partition. */
const previousOutputs = (store: EventStore["Type"], target: CheckTarget): Effect.Effect<PreviousOutputs, unknown> =>
  Effect.gen(function* () {
    const recent = yield* store.materializations({ asset: target.asset.key, partition: target.partition, limit: 2 })
    const materialization = recent.find((m) => m.id !== target.materializationId && m.id < target.materializationId)
    let partition: Materialization | undefined
    const def = target.asset.partitions
    if (target.partition !== null && def !== undefined) {
      const here = target.partition
      for (const m of yield* store.currentMaterializations([target.asset.key])) {
        if (m.partition === null || def.compare(m.partition, here) >= 0) continue
        if (partition === undefined || def.compare(m.partition, partition.partition!) > 0) partition = m
      }
    }
    return { materialization, partition }
  })

/** The check `name` of an asset, or undefined. */
export const checkNamed = (asset: AnyAssetDef, name: string): AttachedCheck | undefined =>
  asset._tag === "Asset" ? asset.checks.find((c) => c.name === name) : undefined
