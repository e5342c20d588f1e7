import { mkdir } from "node:fs/promises"
import { dirname } from "node:path"
import { Effect, Layer } from "effect"
import type { FileFormat, InputFiles } from "../../runtime/asset/Asset.js"
import type { ColumnSpec } from "../../runtime/asset/columns.js"
import { typeName } from "../../runtime/asset/ddl.js"
import { checkInTurn } from "../../runtime/engine/checkInTurn.js"
import { contractChecks, type ContractCheck } from "../../runtime/engine/contractChecks.js"
import { Engine, EngineError } from "../../runtime/engine/Engine.js"
import { Lake } from "../../runtime/lake/Lake.js"
import { DuckDB } from "./DuckDB.js"
import { CATALOG_FILE, makeViews } from "./DuckDBViews.js"

export const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`
const ident = (s: string): string => `"${s.replaceAll('"', '""')}"`

/** The columns a raw-lines relation has: one row per non-empty line of the input files. */
const linesColumns = "NULL::VARCHAR AS filename, NULL::BIGINT AS line_number, NULL::VARCHAR AS line"

/**
 * The Engine on DuckDB over a local lake: inputs are read straight from the lake's files (Parquet, CSV with a
 * header as text, JSON lines as raw lines so a malformed line can be kept with its reason), results are written
 * with COPY.
 */
export const layer = Layer.effect(
  Engine,
  Effect.gen(function* () {
    const duck = yield* DuckDB
    const lake = yield* Lake
    const fail = (sql: string) => (e: { message: string; cause?: unknown }) => new EngineError({ message: e.message, sql, cause: e.cause })

    const fileList = (paths: ReadonlyArray<string>) => `[${paths.map((p) => quote(lake.locate(p))).join(", ")}]`

    const relation = (input: InputFiles): string => {
      // a view upstream reads as the SQL it was created with (the catalog file is not attached to read it)
      if (input.view !== undefined) return `(${input.view.sql})`
      // the recorded versions when the runtime resolved them, so a query reads exactly what its record names
      const files = input.locations ?? input.paths
      if (files.length === 0) {
        const cols =
          input.format === "jsonl" || input.columns === undefined
            ? linesColumns
            : input.columns.map((c) => `NULL::${input.format === "csv" ? "VARCHAR" : typeName(c.type, "duckdb")} AS ${ident(c.name)}`).join(", ")
        return `(SELECT ${cols} WHERE false)`
      }
      switch (input.format) {
        case "parquet":
          return `read_parquet(${fileList(files)}, hive_partitioning = false, union_by_name = true)`
        case "csv":
          return `read_csv(${fileList(files)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', hive_partitioning = false)`
        case "jsonl":
          // one row per line, numbered from 1 in file order; the last newline ends a line, it does not start one.
          // Read as text, one bad byte fails the whole file, so a file is read as bytes: decoded whole when it is
          // all UTF-8, else split in its \xHH rendering (backslashes are escaped too, so newlines are found
          // exactly) and decoded line by line, a line that does not decode coming out NULL
          return `(SELECT filename, unnest(range(1, len(lines) + 1)) AS line_number, unnest(lines) AS line FROM (
            SELECT filename, CASE WHEN parts[-1] = '' THEN parts[:-2] ELSE parts END AS lines FROM (
              SELECT filename, coalesce(
                string_split(TRY(decode(content)), chr(10)),
                list_transform(string_split(content::VARCHAR, '\\x0A'), p -> TRY(decode(p::BLOB)))) AS parts
              FROM read_blob(${fileList(files)}))))`
      }
    }

    const copyOptions = (format: FileFormat) =>
      format === "parquet" ? "FORMAT parquet, COMPRESSION zstd" : format === "csv" ? "FORMAT csv, HEADER true" : "FORMAT json"

    // Folders this engine made: a run writes many outputs into each, and a recursive mkdir is several system calls.
    // Outputs are written into a run's own staging folders, which are removed only when that run ends.
    const made = new Set<string>()
    const write = (sql: string, path: string, format: FileFormat) => {
      const target = lake.locate(path)
      const folder = dirname(target)
      const copy = `COPY (${sql}) TO ${quote(target)} (${copyOptions(format)})`
      const run = duck.run(copy).pipe(Effect.mapError(fail(copy)), Effect.as({}))
      if (made.has(folder)) return run
      return Effect.tryPromise({
        try: () => mkdir(folder, { recursive: true }),
        catch: (cause) => new EngineError({ message: `cannot create ${folder}`, cause })
      }).pipe(
        // a daemon makes new ones run after run: the set is emptied now and then
        Effect.tap(() => Effect.sync(() => (made.size > 10_000 && made.clear(), made.add(folder)))),
        Effect.zipRight(run)
      )
    }

    const single = (path: string, format: FileFormat) => relation({ format, paths: [path], columns: undefined })

    /**
     * One round trip: the columns (DESCRIBE as a subquery) beside the row count and content hash. The hash sum is a
     * HUGEINT, read as its decimal string (NULL for no rows: "0"), the same string a VARCHAR cast gives; the cast
     * in SQL cost about 0.3 ms per query, measured alone on a one-row file.
     */
    const inspect = (path: string, format: FileFormat) => {
      const rel = single(path, format)
      const sql = `SELECT d.column_name, d.column_type, s.n, s.h FROM (DESCRIBE SELECT * FROM ${rel}) AS d,
        (SELECT count(*)::BIGINT AS n, sum(hash(t)) AS h FROM ${rel} AS t) AS s`
      return duck.all(sql).pipe(
        Effect.mapError(fail(sql)),
        Effect.map((rows) => ({
          columns: rows.map((c) => ({ name: String(c["column_name"]), type: String(c["column_type"]) })),
          rows: Number(rows[0]?.["n"] ?? 0),
          contentHash: String(rows[0]?.["h"] ?? "0")
        }))
      )
    }

    const violations = (path: string, format: FileFormat, columns: ReadonlyArray<ColumnSpec>) => {
      const checks = contractChecks(columns)
      if (checks.length === 0) return Effect.succeed([] as ReadonlyArray<string>)
      const sql = `SELECT ${checks.map((c, i) => `count(*) FILTER (WHERE ${c.expr})::BIGINT AS v${i}`).join(", ")} FROM ${single(path, format)}`
      return duck.all(sql).pipe(
        Effect.mapError(fail(sql)),
        Effect.map(([row]) => checks.flatMap((c, i) => (Number(row?.[`v${i}`] ?? 0) > 0 ? [c.message(Number(row?.[`v${i}`]))] : [])))
      )
    }

    const inTurn = checkInTurn("duckdb", inspect, violations)

    // an asset's columns are one array for the life of the process: what its checks' query says before the counts
    // and the file is built once per asset, not per partition
    const shapes = new WeakMap<ReadonlyArray<ColumnSpec>, { checks: ReadonlyArray<ContractCheck>; select: string; stats: ReadonlyArray<{ name: string; type: string }> }>()
    const shapeOf = (columns: ReadonlyArray<ColumnSpec>) => {
      let shape = shapes.get(columns)
      if (shape === undefined) {
        const checks = contractChecks(columns)
        const declared = `{${columns.map((c) => `${quote(c.name)}: NULL::${typeName(c.type, "duckdb")}`).join(", ")}}`
        const select = `SELECT count(*)::BIGINT AS n, sum(hash(t)) AS h, typeof(any_value(t)) = typeof(${declared}) AS declared${checks
          .map((c, i) => `, count(*) FILTER (WHERE ${c.expr})::BIGINT AS v${i}`)
          .join("")}`
        shape = { checks, select, stats: columns.map((c) => ({ name: c.name, type: typeName(c.type, "duckdb") })) }
        shapes.set(columns, shape)
      }
      return shape
    }

    /**
     * The common case in one scan: count, content hash (the same expressions as inspect), whether the row type is
     * exactly the declared one (typeof is settled when the query is bound, so an empty output answers too) and the
     * row-level checks, and the asset checks' counts asked for. Anything else (a mismatch, or a check naming a column
     * the output lacks, which fails to bind) goes the step-by-step way, which says what is wrong (without counts).
     */
    const check = (path: string, format: FileFormat, columns: ReadonlyArray<ColumnSpec>, counts: ReadonlyArray<string> = []) => {
      if (columns.length === 0) return inTurn(path, format, columns)
      const { checks, select, stats } = shapeOf(columns)
      const sql = `${select}${counts.map((c, i) => `, CAST(${c} AS BIGINT) AS k${i}`).join("")} FROM ${single(path, format)} AS t`
      return duck.all(sql).pipe(
        Effect.flatMap(([row]) =>
          row?.["declared"] !== true
            ? inTurn(path, format, columns)
            : Effect.succeed({
                stats: {
                  columns: stats.map((c) => ({ ...c })),
                  rows: Number(row["n"] ?? 0),
                  contentHash: String(row["h"] ?? "0")
                },
                problems: checks.flatMap((c, i) => (Number(row[`v${i}`] ?? 0) > 0 ? [c.message(Number(row[`v${i}`]))] : [])),
                ...(counts.length > 0 ? { counts: counts.map((_, i) => Number(row[`k${i}`] ?? 0)) } : {})
              })
        ),
        Effect.catchTag("DuckDBError", () => inTurn(path, format, columns))
      )
    }

    return Engine.of({
      dialect: "duckdb",
      relation,
      write,
      inspect,
      check,
      query: (sql) => duck.all(sql).pipe(Effect.mapError(fail(sql))),
      // a failure to open is the first query's to report, with that query's context
      openAhead: Effect.ignore(duck.open),
      createView: makeViews(duck, lake.locate(CATALOG_FILE)).createView
    })
  })
)
