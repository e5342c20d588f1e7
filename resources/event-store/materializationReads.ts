import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"
import type { EventStore } from "../../runtime/events/EventStore.js"
import type { Materialization } from "../../runtime/events/records.js"
import type { PartitionKey } from "../../runtime/partitions/PartitionKey.js"
import { slot } from "../../runtime/status/State.js"
import { RowShapeError } from "./fastRows.js"
import { inputValueColumns, materializationColumnsWithInputs, materializationsFrom } from "./materializationValues.js"
import { chunks } from "./sqlShared.js"
import { SqliteReader } from "./SqliteReader.js"

const BATCH = 500

type Rows = ReadonlyArray<ReadonlyArray<unknown>>
type Params = ReadonlyArray<string | number>

interface Query {
  readonly text: string
  readonly params: Params
}

/** A read: yields the statements it needs and takes their rows back; a row of another shape throws a RowShapeError. */
type Read<A> = Generator<Query, A, Rows>

/** `(?, ?, ?)` for a list of `n` */
const list = (n: number) => `(${"?, ".repeat(n - 1)}?)`

/** the list grown to a power of two by repeating its last item (IN ignores it): a few statement texts, each prepared once */
const rounded = <A>(items: ReadonlyArray<A>): ReadonlyArray<A> => {
  let n = 1
  while (n < items.length) n *= 2
  return n === items.length ? items : items.concat(Array<A>(n - items.length).fill(items[items.length - 1]!))
}

const inputsOf = (ids: ReadonlyArray<string>): Query => {
  const params = rounded(ids)
  return { text: `SELECT i.materialization_id, ${inputValueColumns} FROM materialization_inputs i WHERE i.materialization_id IN ${list(params.length)}`, params }
}

/**
 * the materializations of value rows (`materializationColumnsWithInputs` from `at` on), each with its inputs: those
 * its row carries, else (a record written before rows carried them, or one that read too much) those of
 * materialization_inputs, one statement per batch of such records
 */
function* withInputs(table: string, rows: Rows, at = 0): Read<ReadonlyArray<Materialization>> {
  const built = materializationsFrom(table, rows, at)
  for (const batch of chunks(built.missing, BATCH)) built.add(yield inputsOf(batch))
  return built.records
}

export interface PageQuery {
  readonly asset: string
  readonly partition?: PartitionKey | null | undefined
  readonly before?: string | undefined
  readonly limit: number
}

/** the WHERE, ORDER BY and LIMIT of a page, with its parameters */
const pageClause = (query: PageQuery): Query => {
  const where = ["m.asset_key = ?"]
  const params: Array<string | number> = [query.asset]
  if (query.partition !== undefined) {
    where.push("m.partition_key = ?")
    params.push(query.partition ?? "")
  }
  if (query.before) {
    where.push("m.id < ?")
    params.push(query.before)
  }
  params.push(query.limit)
  return { text: `WHERE ${where.join(" AND ")} ORDER BY m.id DESC LIMIT ?`, params }
}

/** an asset's (partition's) materializations, newest first, before a cursor */
function* page(query: PageQuery): Read<ReadonlyArray<Materialization>> {
  const clause = pageClause(query)
  const rows = yield { text: `SELECT ${materializationColumnsWithInputs} FROM materializations m ${clause.text}`, params: clause.params }
  return yield* withInputs("materializations", rows)
}

/** materializations by id: one statement per batch of ids */
function* byIds(wanted: ReadonlyArray<string>): Read<ReadonlyArray<Materialization>> {
  let out: ReadonlyArray<Materialization> = []
  for (const batch of chunks([...new Set(wanted)], BATCH)) {
    const params = rounded(batch)
    const rows = yield { text: `SELECT ${materializationColumnsWithInputs} FROM materializations m WHERE m.id IN ${list(params.length)}`, params }
    out = out.concat(yield* withInputs("materializations", rows))
  }
  return out
}

/** an asset partition, as the runtime names one */
type Slot = Parameters<EventStore["Type"]["currentMaterializationsOf"]>[0][number]

const CURRENT = "FROM current_materializations c JOIN materializations m ON m.id = c.materialization_id"

/**
 * the current materializations of these assets (of every asset without a list), a thousand assets a statement (its
 * parameters are bounded); a statement may read 100,000 rows
 */
function* current(assets: ReadonlyArray<string> | undefined): Read<ReadonlyArray<Materialization>> {
  if (assets === undefined) return yield* withInputs("current materializations", yield { text: `SELECT ${materializationColumnsWithInputs} ${CURRENT}`, params: [] })
  let out: ReadonlyArray<Materialization> = []
  for (const batch of chunks(assets, 1000)) {
    const params = rounded(batch)
    const rows = yield { text: `SELECT ${materializationColumnsWithInputs} ${CURRENT} WHERE c.asset_key IN ${list(params.length)}`, params }
    out = out.concat(yield* withInputs("current materializations", rows))
  }
  return out
}

/** the current materializations the lake may not show yet (their publishing was cut short) */
function* unpublished(): Read<ReadonlyArray<Materialization>> {
  return yield* withInputs("current materializations", yield { text: `SELECT ${materializationColumnsWithInputs} ${CURRENT} WHERE c.published = 0`, params: [] })
}

/**
 * the current materializations of these asset partitions, each once, two hundred a statement; read before every task
 * (its own and its inputs'), so the list is rounded like the others (a repeated condition adds no row)
 */
function* currentOf(slots: ReadonlyArray<Slot>): Read<ReadonlyArray<Materialization>> {
  // a slot asked twice, in two batches, would be read twice
  const unique = [...new Map(slots.map((s) => [slot(s.asset, s.partition), s])).values()]
  let out: ReadonlyArray<Materialization> = []
  for (const batch of chunks(unique, 200)) {
    const asked = rounded(batch)
    const params = asked.flatMap((slot) => [slot.asset, slot.partition ?? ""])
    const text = `SELECT ${materializationColumnsWithInputs} ${CURRENT} WHERE ${asked.map(() => "(c.asset_key = ? AND c.partition_key = ?)").join(" OR ")}`
    out = out.concat(yield* withInputs("current materializations", yield { text, params }))
  }
  return out
}

/** for each producer, the materializations that read it, by id; one that read it twice is there twice */
function* consumersByProducer(producerIds: ReadonlyArray<string>): Read<ReadonlyMap<string, ReadonlyArray<Materialization>>> {
  const out = new Map<string, Array<Materialization>>()
  for (const batch of chunks([...new Set(producerIds)], BATCH)) {
    const params = rounded(batch)
    const text = `SELECT i.producer_id, ${materializationColumnsWithInputs} FROM materialization_inputs i JOIN materializations m ON m.id = i.materialization_id WHERE i.producer_id IN ${list(params.length)} ORDER BY m.id`
    const rows = yield { text, params }
    const consumers = yield* withInputs("materializations with what they read", rows, 1)
    rows.forEach((row, k) => {
      // the id it read: one of the batch's
      const read = row[0] as string
      const xs = out.get(read)
      if (xs) xs.push(consumers[k]!)
      else out.set(read, [consumers[k]!])
    })
  }
  return out
}

const failure = (cause: unknown) => (cause instanceof RowShapeError ? cause : new SqlError({ cause, message: "Failed to execute statement" }))

/**
 * The reads the API makes on every history and lineage request (a page of an asset's history, records by id, the
 * consumers of a lineage level) and those a run makes of the current materializations (all it plans from, then
 * before every task its own and its inputs'). Each is written once as a Read, and rows come as arrays of values,
 * built into records in one pass (materializationValues.ts).
 *
 * The API's reads run, on SQLite with its reader (SqliteReader.ts), at once inside one Effect.try, each statement
 * prepared once (a history page cost about as much in Effect steps as in SQLite); otherwise (MySQL, an in-memory
 * file) each statement goes through `@effect/sql`. A run's reads always go through `@effect/sql`, on the connection
 * that writes: they follow the run's own writes, and a second connection's page cache is emptied by every commit
 * of the first, so the reader read each page again from the WAL (ten more system calls a task; 5,000 no-op tasks
 * took 2.70-2.95 ms each through it, 2.52-2.68 ms before).
 */
export const materializationReads = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const reader = yield* Effect.serviceOption(SqliteReader)
  const throughSql = <A>(read: () => Read<A>): Effect.Effect<A, SqlError | RowShapeError> =>
    Effect.gen(function* () {
      const it = read()
      let step = yield* Effect.try({ try: () => it.next(), catch: failure })
      while (step.done !== true) {
        const rows = yield* sql.unsafe(step.value.text, step.value.params).values
        step = yield* Effect.try({ try: () => it.next(rows), catch: failure })
      }
      return step.value
    })
  const run: <A>(read: () => Read<A>) => Effect.Effect<A, SqlError | RowShapeError> =
    reader._tag === "Some"
      ? (read) =>
          Effect.try({
            try: () => {
              const it = read()
              let step = it.next()
              while (step.done !== true) step = it.next(reader.value.rows(step.value.text, step.value.params))
              return step.value
            },
            catch: failure
          })
      : throughSql
  return {
    page: (query: PageQuery) => run(() => page(query)),
    current: (assets: ReadonlyArray<string> | undefined) => throughSql(() => current(assets)),
    currentOf: (slots: ReadonlyArray<Slot>) => throughSql(() => currentOf(slots)),
    unpublished: throughSql(unpublished),
    byIds: (ids: ReadonlyArray<string>) => run(() => byIds(ids)),
    consumersByProducer: (producerIds: ReadonlyArray<string>) => run(() => consumersByProducer(producerIds))
  }
})
