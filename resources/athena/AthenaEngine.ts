import { createHash } from "node:crypto"
import { Chunk, Effect, Layer, Stream } from "effect"
import type { FileFormat, InputFiles } from "../../runtime/asset/Asset.js"
import type { ColumnSpec } from "../../runtime/asset/columns.js"
import { typeName } from "../../runtime/asset/ddl.js"
import { checkInTurn } from "../../runtime/engine/checkInTurn.js"
import { contractChecks } from "../../runtime/engine/contractChecks.js"
import { Engine, EngineError, type OutputStats } from "../../runtime/engine/Engine.js"
import { Lake } from "../../runtime/lake/Lake.js"
import { AthenaQueries, costOf, type AthenaError, type QueryResult, type QueryRun } from "./AthenaQueries.js"
import { Catalog, type TableDef } from "./Catalog.js"
import { toAthena } from "./dialect.js"
import { makeAthenaViews } from "./AthenaViews.js"

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`

/** Trino's type names (information_schema) as the Hive names DDL and the output contract use. */
export const hiveType = (t: string): string => {
  const s = t.trim().toLowerCase()
  if (s.startsWith("array(") && s.endsWith(")")) return `array<${hiveType(s.slice(6, -1))}>`
  if (s === "integer") return "int"
  if (s.startsWith("varchar") || s.startsWith("char")) return "string"
  if (s.startsWith("timestamp")) return "timestamp"
  return s
}

/** A JSON value from Athena's text rendering of a value of a Trino type. */
export const jsonValue = (type: string, v: string | null): unknown => {
  if (v === null) return null
  const t = type.toLowerCase()
  if (["integer", "bigint", "smallint", "tinyint", "double", "float", "real", "decimal"].some((n) => t.startsWith(n))) return Number(v)
  if (t === "boolean") return v === "true"
  return v
}

/** staged outputs of the S3 lake live at `.staging/<run>/<path>`; the stage table is named after the target */
const targetOf = (staged: string) => staged.replace(/^\.staging\/[^/]+\//, "")

/**
 * The Engine on Athena over the S3 lake. Inputs are read through the catalog's tables (partition filters, and
 * `"$path"` for landing files); a write is a CTAS into the staging prefix as Parquet, which the lake's commit then
 * switches in. Asset SQL is written for DuckDB and translated (dialect.ts).
 */
export const layer = Layer.effect(
  Engine,
  Effect.gen(function* () {
    const lake = yield* Lake
    const queries = yield* AthenaQueries
    const catalog = yield* Catalog
    const { config } = queries
    const db = ident(catalog.database)
    const stats = new Map<string, OutputStats>()

    const fail = (sql?: string) => (e: AthenaError | { message: string; cause?: unknown }) =>
      new EngineError({ message: e.message, ...(sql !== undefined ? { sql } : {}), cause: e })

    const table = (def: TableDef) => `${db}.${ident(def.table)}`

    const partitionFilter = (parts: ReadonlyArray<Readonly<Record<string, string>>>) => {
      const unique = [...new Map(parts.map((p) => [JSON.stringify(p), p])).values()]
      return `(${unique.map((p) => `(${Object.entries(p).map(([k, v]) => `${ident(k)} = ${lit(v)}`).join(" AND ")})`).join(" OR ")})`
    }

    const relation = (input: InputFiles): string => {
      // a view upstream reads as the SQL it was created with, translated with the query that reads it
      if (input.view !== undefined) return `(${input.view.sql})`
      // an output this engine wrote to staging (a check reads it before it is published) is its stage table
      if (input.paths.length === 1 && stats.has(input.paths[0]!) && /^\.staging\//.test(input.paths[0]!)) return `(SELECT * FROM ${db}.${ident(stageTable(input.paths[0]!))})`
      if (input.paths.length === 0) {
        const cols =
          input.format === "jsonl" || input.columns === undefined
            ? "CAST(NULL AS varchar) AS filename, CAST(NULL AS bigint) AS line_number, CAST(NULL AS varchar) AS line"
            : input.columns.map((c) => `CAST(NULL AS ${input.format === "csv" ? "varchar" : trinoOf(c)}) AS ${ident(c.name)}`).join(", ")
        return `(SELECT ${cols} WHERE false)`
      }
      const located = input.paths.map((p) => {
        const l = catalog.locate(p)
        if (l === undefined) throw new Error(`no Athena table holds ${p}: add its asset to the project so the catalog registers it`)
        return l
      })
      const def = located[0]!.def
      const parts = located.flatMap((l) => (l.partition === undefined ? [] : [l.partition]))
      const where = def.partitioned ? ` WHERE ${partitionFilter(parts)}` : ""
      switch (def.format) {
        case "jsonl":
          // Trino reads a text file in splits and keeps no line offset, so file order is lost: lines are numbered
          // in the order of their text instead, which the file fixes. Equal lines tie, and being equal, any order
          // of them gives the same rows: the numbering is the same on every run.
          return `(SELECT "$path" AS filename, row_number() OVER (PARTITION BY "$path" ORDER BY line) AS line_number, line FROM ${table(def)}${where} AND "$path" IN (${input.paths.map((p) => lit(lake.locate(p))).join(", ")}))`
        case "csv":
          // OpenCSVSerde reads an empty field as '' where DuckDB reads NULL
          return `(SELECT ${def.columns.map((c) => `NULLIF(${ident(c.name)}, '') AS ${ident(c.name)}`).join(", ")} FROM ${table(def)}${where})`
        case "parquet":
          return `(SELECT ${def.columns.map((c) => ident(c.name)).join(", ")} FROM ${table(def)}${where})`
      }
    }

    const trinoOf = (c: ColumnSpec) => {
      const hive = typeName(c.type, "athena")
      return hive === "int" ? "integer" : hive === "string" ? "varchar" : hive.replace(/^array<(.*)>$/, (_, t) => `array(${t === "string" ? "varchar" : t === "int" ? "integer" : t})`)
    }

    const stageTable = (path: string) => `stage_${createHash("sha256").update(targetOf(path)).digest("hex").slice(0, 16)}`

    /** tables over the raw SQL the relations reference, created before a query reads them */
    const ensureReferenced = (sql: string) =>
      Effect.forEach(
        catalog.tables.filter((t) => sql.includes(`${db}.${ident(t.table)}`)),
        (t) => catalog.ensure(t),
        { discard: true }
      ).pipe(Effect.mapError(fail()))

    const run = (sql: string) => queries.run(sql).pipe(Effect.mapError(fail(sql)))
    const select = (sql: string): Effect.Effect<QueryResult & { run: QueryRun }, EngineError> =>
      Effect.flatMap(run(sql), (r) => Effect.map(queries.results(r.queryId).pipe(Effect.mapError(fail(sql))), (res) => ({ ...res, run: r })))

    const columnsOfTable = (name: string) =>
      select(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ${lit(catalog.database)} AND table_name = ${lit(name)} ORDER BY ordinal_position`
      ).pipe(Effect.map((r) => ({ columns: r.rows.map(([n, t]) => ({ name: n ?? "", type: hiveType(t ?? "") })), run: r.run })))

    const statsOf = (name: string, columns: ReadonlyArray<{ name: string }>) =>
      select(
        `SELECT count(*) AS n, coalesce(to_hex(checksum(ROW(${columns.map((c) => ident(c.name)).join(", ")}))), '0') AS h FROM ${db}.${ident(name)}`
      )

    const usage = (runs: ReadonlyArray<QueryRun>) => {
      const bytes = runs.reduce((s, r) => s + r.bytesScanned, 0)
      return {
        athena_query_ids: runs.map((r) => r.queryId),
        athena_bytes_scanned: bytes,
        athena_cost_usd: Number(runs.reduce((s, r) => s + costOf(r.bytesScanned, config.pricePerTB), 0).toFixed(8)),
        athena_workgroup: config.workgroup
      }
    }

    const write = (sql: string, path: string, format: FileFormat) =>
      Effect.gen(function* () {
        if (format !== "parquet") return yield* new EngineError({ message: `the Athena engine writes Parquet; ${path} asks for ${format}` })
        const translated = toAthena(sql)
        const name = stageTable(path)
        const location = `${lake.locate(path)}/`
        yield* ensureReferenced(translated)
        yield* run(`DROP TABLE IF EXISTS \`${catalog.database}\`.\`${name}\``)
        yield* lake.remove(path).pipe(Effect.mapError(fail()))
        const ctas = `CREATE TABLE ${db}.${ident(name)}\nWITH (format = 'PARQUET', write_compression = 'ZSTD', external_location = ${lit(location)})\nAS\n${translated}`
        const created = yield* run(ctas)
        const cols = yield* columnsOfTable(name)
        const counted = yield* statsOf(name, cols.columns)
        const [n, h] = counted.rows[0] ?? ["0", "0"]
        stats.set(path, { columns: cols.columns, rows: Number(n ?? 0), contentHash: h ?? "0" })
        return usage([created, cols.run, counted.run])
      })

    /** an output the engine did not write (an extract as CSV): a stage table over its folder, columns from its header */
    const adopt = (path: string, format: FileFormat) =>
      Effect.gen(function* () {
        if (format !== "csv") return yield* new EngineError({ message: `the Athena engine cannot inspect ${path}: only its own Parquet outputs and CSV extracts` })
        const head = yield* Stream.runCollect(lake.read(path).pipe(Stream.take(1))).pipe(Effect.mapError(fail()))
        const firstLine = new TextDecoder().decode(Chunk.toReadonlyArray(head)[0] ?? new Uint8Array()).split("\n")[0] ?? ""
        const names = firstLine.split(",").map((s) => s.trim().replace(/^"|"$/g, ""))
        const name = stageTable(path)
        const folder = lake.locate(path).replace(/[^/]+$/, "")
        yield* run(`DROP TABLE IF EXISTS \`${catalog.database}\`.\`${name}\``)
        yield* run(
          `CREATE EXTERNAL TABLE \`${catalog.database}\`.\`${name}\` (\n${names.map((n) => `  \`${n}\` string`).join(",\n")}\n)\nROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'\nSTORED AS TEXTFILE\nLOCATION ${lit(folder)}\nTBLPROPERTIES ('skip.header.line.count' = '1')`
        )
        const counted = yield* statsOf(name, names.map((n) => ({ name: n })))
        const [n, h] = counted.rows[0] ?? ["0", "0"]
        const s: OutputStats = { columns: names.map((c) => ({ name: c, type: "string" })), rows: Number(n ?? 0), contentHash: h ?? "0" }
        stats.set(path, s)
        return s
      })

    const inspect = (path: string, format: FileFormat) => {
      const known = stats.get(path)
      return known !== undefined ? Effect.succeed(known) : adopt(path, format)
    }

    const violations = (path: string, _format: FileFormat, columns: ReadonlyArray<ColumnSpec>) => {
      const checks = contractChecks(columns)
      if (checks.length === 0) return Effect.succeed([] as ReadonlyArray<string>)
      const sql = `SELECT ${checks.map((c, i) => `count(*) FILTER (WHERE ${c.expr}) AS v${i}`).join(", ")} FROM ${db}.${ident(stageTable(path))}`
      return select(sql).pipe(
        Effect.map(({ rows: [row] }) => checks.flatMap((c, i) => (Number(row?.[i] ?? 0) > 0 ? [c.message(Number(row?.[i]))] : [])))
      )
    }

    const query = (sql: string) =>
      Effect.gen(function* () {
        const translated = toAthena(sql)
        yield* ensureReferenced(translated)
        const r = yield* select(translated)
        return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, jsonValue(c.type, row[i] ?? null)])))
      })

    const views = makeAthenaViews({ database: catalog.database, run, select, ensureReferenced, columnsOfTable, usage })
    return Engine.of({ dialect: "athena", relation, write, inspect, check: checkInTurn("athena", inspect, violations), query, createView: views.createView })
  })
)
