import Sqlite from "better-sqlite3"
import { Context, Effect, Layer } from "effect"

/**
 * A read-only connection of its own to the SQLite event store, for the reads the API makes on every request (a
 * history page, records by id, a lineage level): each statement prepared once and kept, rows as arrays of values.
 * Through `@effect/sql` a query costs a span, a scope, the connection's semaphore and its statement cache's
 * lookup, about 40 µs; here a few. The file is memory-mapped: a cold page is read without a system call (a
 * fifth of a cold history page's time); the pages touched count in the process's RSS, as page cache, not heap.
 * The connection is WAL's other reader: it sees every committed write and never waits for a writer.
 */
export class SqliteReader extends Context.Tag("event-store/SqliteReader")<
  SqliteReader,
  {
    /** the rows of a SELECT as arrays of values, at once; throws what better-sqlite3 throws (materializationReads.ts maps it) */
    readonly rows: (sql: string, params: ReadonlyArray<string | number>) => ReadonlyArray<ReadonlyArray<unknown>>
  }
>() {}

/** statements kept: the reads' texts differ only by the size of an IN list, rounded up (materializationReads.ts) */
const MAX_STATEMENTS = 200
/** how much of the file is mapped; SQLite reads past it as usual */
const MMAP_BYTES = 4 * 1024 * 1024 * 1024

/** Opened at the first read (the file may not exist before the migrations run), closed with the layer. */
export const layer = (filename: string): Layer.Layer<SqliteReader> =>
  Layer.scoped(
    SqliteReader,
    Effect.gen(function* () {
      let db: Sqlite.Database | undefined
      const statements = new Map<string, Sqlite.Statement>()
      yield* Effect.addFinalizer(() => Effect.sync(() => db?.close()))
      const statement = (sql: string) => {
        let s = statements.get(sql)
        if (s === undefined) {
          if (db === undefined) {
            db = new Sqlite(filename, { readonly: true, fileMustExist: true })
            db.pragma(`mmap_size = ${MMAP_BYTES}`)
          }
          if (statements.size >= MAX_STATEMENTS) statements.clear()
          statements.set(sql, (s = db.prepare(sql).raw(true)))
        }
        return s
      }
      return SqliteReader.of({ rows: (sql, params) => statement(sql).all(...params) as ReadonlyArray<ReadonlyArray<unknown>> })
    })
  )
