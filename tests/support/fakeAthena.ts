/**
 * A test-only Athena endpoint: an HTTP server speaking Athena's JSON protocol (StartQueryExecution,
 * GetQueryExecution, GetQueryResults, StopQueryExecution) with the real states (QUEUED, RUNNING, SUCCEEDED, FAILED,
 * CANCELLED), bytes scanned, result pagination with NextToken, throttling answers on demand and workgroup cutoffs.
 * It keeps its own Glue-like catalog (the DDL the engine sends) and runs the received Trino SQL in DuckDB over the
 * tables' files, downloaded from the S3 server (DuckDB's httpfs cannot be installed here); CTAS output goes back
 * to the S3 server. The few Trino functions the translated asset SQL uses are DuckDB macros here.
 */
import { randomUUID } from "node:crypto"
import { createWriteStream } from "node:fs"
import { mkdir, readFile, stat } from "node:fs/promises"
import { createServer, type IncomingMessage, type Server } from "node:http"
import { dirname, join } from "node:path"
import { pipeline } from "node:stream/promises"
import type { Readable } from "node:stream"
import { GetObjectCommand, ListObjectsCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3"
import { DuckDBInstance } from "@duckdb/node-api"
import { tempDir } from "./testProject.js"

interface FakeTable {
  readonly name: string
  columns: Array<{ name: string; type: string }>
  partitionKeys: Array<string>
  location: string
  format: "parquet" | "csv" | "lines"
  props: Record<string, string>
  partitions: Map<string, { values: Array<string>; location: string }>
}

interface FakeQuery {
  readonly id: string
  readonly sql: string
  readonly workgroup: string
  readonly database: string
  readonly output: string
  state: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED"
  reason?: string
  bytes: number
  submitted: number
  completed?: number
  statementType: "DDL" | "DML"
  result?: { columns: Array<{ name: string; type: string }>; rows: Array<Array<string | null>> }
}

export interface FakeAthenaOptions {
  readonly s3: S3Client
  /** workgroups and their per-query cutoff (bytes); unknown workgroups are refused like Athena does */
  readonly workgroups?: Record<string, { readonly bytesScannedCutoff?: number }>
  /** how long a query stays RUNNING at least (so pollers see it), default 20 ms */
  readonly runningMs?: number
}

const s3Parts = (url: string) => {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(url)
  if (m === null) throw new Error(`not an s3 address: ${url}`)
  return { bucket: m[1]!, key: m[2]! }
}

const hiveToTrino = (t: string): string => {
  const s = t.toLowerCase()
  if (s.startsWith("array<")) return `array(${hiveToTrino(s.slice(6, -1))})`
  return s === "int" ? "integer" : s === "string" ? "varchar" : s === "timestamp" ? "timestamp(3)" : s
}
const hiveToDuck = (t: string): string => {
  const s = t.toLowerCase()
  if (s.startsWith("array<")) return `${hiveToDuck(s.slice(6, -1))}[]`
  return s === "int" ? "INTEGER" : s === "string" ? "VARCHAR" : s.toUpperCase()
}
const duckToHive = (t: string): string => {
  const s = t.toUpperCase()
  if (s.endsWith("[]")) return `array<${duckToHive(s.slice(0, -2))}>`
  return s === "INTEGER" ? "int" : s === "VARCHAR" ? "string" : s === "HUGEINT" ? "decimal(38,0)" : s.toLowerCase()
}
const duckToTrino = (t: string) => hiveToTrino(duckToHive(t))

const MACROS = [
  `CREATE MACRO json_parse(x) AS json(x)`,
  `CREATE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)`,
  `CREATE MACRO date_format(ts, f) AS strftime(ts, f)`,
  `CREATE MACRO at_timezone(ts, z) AS timezone(z, ts)`,
  `CREATE MACRO from_iso8601_timestamp(s) AS CASE WHEN regexp_matches(s, '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}(:?\\d{2})?)$') THEN CAST(s AS TIMESTAMPTZ) ELSE CAST('Invalid format: ' || s AS TIMESTAMPTZ) END`,
  `CREATE MACRO checksum(x) AS CAST(sum(hash(x)) AS VARCHAR)`,
  `CREATE MACRO date_parse(s, f) AS strptime(s, f)`,
  `CREATE MACRO from_unixtime(x) AS to_timestamp(x)`,
  // Trino's cardinality takes an array (DuckDB's only a map): the only use the translated SQL makes of it
  `CREATE MACRO cardinality(a) AS len(a)`
]

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`
const q = (s: string) => `"${s.replaceAll('"', '""')}"`
const hidden = (key: string) => /(^|\/)[_.][^/]*$/.test(key)

export const startFakeAthena = async (options: FakeAthenaOptions) => {
  const s3 = options.s3
  const workgroups = options.workgroups ?? { primary: {} }
  const runningMs = options.runningMs ?? 20
  const mirror = tempDir("fake-athena-")
  const tables = new Map<string, FakeTable>()
  /** views by qualified name: their Trino SQL, run in DuckDB over the tables they read */
  const views = new Map<string, string>()
  const queries = new Map<string, FakeQuery>()
  const throttles = new Map<string, { left: number; type: string }>()
  const calls: Array<{ action: string; status: number }> = []
  const downloaded = new Map<string, string>()

  const list = async (url: string) => {
    const { bucket, key } = s3Parts(url)
    const out: Array<{ key: string; size: number; etag: string }> = []
    let marker: string | undefined
    for (;;) {
      const page = await s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: key, ...(marker ? { Marker: marker } : {}) }))
      for (const o of page.Contents ?? []) out.push({ key: o.Key!, size: o.Size ?? 0, etag: o.ETag ?? "" })
      if (!page.IsTruncated || (page.Contents ?? []).length === 0) return out.map((o) => ({ ...o, url: `s3://${bucket}/${o.key}` }))
      marker = page.Contents!.at(-1)!.Key
    }
  }
  const download = async (url: string, etag: string) => {
    const cached = downloaded.get(url)
    if (cached === etag) return join(mirror, url.slice(5))
    const { bucket, key } = s3Parts(url)
    const file = join(mirror, bucket, key)
    await mkdir(dirname(file), { recursive: true })
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    await pipeline(got.Body as Readable, createWriteStream(file))
    downloaded.set(url, etag)
    return file
  }

  const tableKey = (db: string, name: string) => `${db}.${name}`.toLowerCase()

  /** a DuckDB SELECT over a table's files, with its partition columns and "$path" (bytes read are counted) */
  const tableView = async (t: FakeTable, allowed: Set<string> | undefined, scanned: { bytes: number }, withPath: boolean) => {
    const sources: Array<{ values: Array<string>; files: Array<{ url: string; size: number; etag: string }> }> = []
    const template = t.props["storage.location.template"]
    if (template !== undefined) {
      const re = new RegExp(`^${template.replace(/[.*+?^()|[\]\\]/g, "\\$&").replace(/\$\{(\w+)\}/g, "([^/]+)")}`)
      const byPart = new Map<string, { values: Array<string>; files: Array<{ url: string; size: number; etag: string }> }>()
      for (const o of await list(t.location)) {
        const m = re.exec(o.url)
        if (m === null || hidden(o.key)) continue
        const values = m.slice(1)
        const k = values.join("|")
        byPart.set(k, { values, files: [...(byPart.get(k)?.files ?? []), o] })
      }
      sources.push(...byPart.values())
    } else if (t.partitionKeys.length > 0) {
      for (const p of t.partitions.values()) sources.push({ values: p.values, files: (await list(p.location)).filter((o) => !hidden(o.key)) })
    } else sources.push({ values: [], files: (await list(t.location)).filter((o) => !hidden(o.key) && !o.key.slice(s3Parts(t.location).key.length).includes("/")) })

    const cols = t.columns.map((c) => q(c.name))
    const parts: Array<string> = []
    for (const src of sources) {
      if (allowed !== undefined && src.values.length > 0 && !allowed.has(src.values.join("|"))) continue
      if (src.files.length === 0) continue
      const local = await Promise.all(src.files.map((f) => download(f.url, f.etag)))
      scanned.bytes += src.files.reduce((s, f) => s + f.size, 0)
      const pcols = t.partitionKeys.map((k, i) => `${lit(src.values[i] ?? "")} AS ${q(k)}`)
      const path = `'s3://' || substr(filename, ${mirror.length + 2})`
      const fileList = `[${local.map(lit).join(", ")}]`
      // "$path" is a hidden column: there only when the query names it, never in SELECT *
      const pathCol = withPath ? [`${path} AS "$path"`] : []
      const select = [...cols, ...pcols, ...pathCol].join(", ")
      if (t.format === "parquet") parts.push(`SELECT ${select} FROM read_parquet(${fileList}, filename = true, hive_partitioning = false, union_by_name = true)`)
      else if (t.format === "csv") {
        const csvCols = t.columns.map((c) => `coalesce(${q(c.name)}, '') AS ${q(c.name)}`)
        parts.push(
          `SELECT ${[...csvCols, ...pcols, ...pathCol].join(", ")} FROM read_csv(${fileList}, header = true, all_varchar = true, quote = '"', escape = '"', filename = true, hive_partitioning = false, names = [${t.columns.map((c) => lit(c.name)).join(", ")}])`
        )
      } else {
        parts.push(
          `SELECT unnest(string_split(rtrim(content, chr(10)), chr(10))) AS line, ${[...pcols, ...pathCol].join(", ")} FROM read_text(${fileList})`
        )
      }
    }
    if (parts.length === 0) {
      const empty = [...t.columns.map((c) => `CAST(NULL AS ${hiveToDuck(c.type)}) AS ${q(c.name)}`), ...t.partitionKeys.map((k) => `CAST(NULL AS VARCHAR) AS ${q(k)}`), ...(withPath ? [`CAST(NULL AS VARCHAR) AS "$path"`] : [])]
      return `SELECT ${empty.join(", ")} WHERE false`
    }
    return parts.join("\nUNION ALL BY NAME\n")
  }

  const withDuck = async <A>(f: (run: (sql: string) => Promise<ReturnType<Awaited<ReturnType<import("@duckdb/node-api").DuckDBConnection["runAndReadAll"]>>["getRowsJson"]> & { names: Array<string>; types: Array<string> }>) => Promise<A>) => {
    const db = await DuckDBInstance.create(":memory:", { threads: "2" })
    const c = await db.connect()
    try {
      await c.run("SET TimeZone = 'UTC'")
      for (const m of MACROS) await c.run(m)
      return await f(async (sql) => {
        const r = await c.runAndReadAll(sql)
        return Object.assign(r.getRowsJson(), { names: r.columnNames(), types: r.columnTypes().map((t) => t.toString()) })
      })
    } finally {
      c.closeSync()
      db.closeSync()
    }
  }

  /** runs a SELECT over the catalog's tables; returns the DuckDB runner's result */
  const runSelect = async (query: FakeQuery, select: string, then?: (run: (sql: string) => Promise<any>, select: string) => Promise<unknown>) => {
    const allowed = new Set<string>()
    // a partition filter: one parenthesized conjunction of "column" = 'value' per partition, in the columns' order
    for (const m of select.matchAll(/\(("\w+" = '[^']*'(?: AND "\w+" = '[^']*')*)\)/g)) {
      allowed.add([...m[1]!.matchAll(/"\w+" = '([^']*)'/g)].map((v) => v[1]!).join("|"))
    }
    const scanned = { bytes: 0 }
    const created: Array<string> = []
    // the views the query reads (and those they read), whose SQL names tables too
    const used: Array<[string, string]> = []
    let text = select
    for (let grew = true; grew; ) {
      grew = false
      for (const [key, sql] of views) {
        const [db, name] = key.split(".") as [string, string]
        if (used.some(([k]) => k === key) || !new RegExp(`"${db}"\\."${name}"|\\b${db}\\.${name}\\b`, "i").test(text)) continue
        used.push([key, sql])
        text += `\n${sql}`
        grew = true
      }
    }
    for (const t of tables.values()) {
      const [db, name] = t.name.split(".") as [string, string]
      const qualified = new RegExp(`"${db}"\\."${name}"|\\b${db}\\.${name}\\b`, "i")
      const bare = db === query.database && new RegExp(`(FROM|JOIN)\\s+"?${name}"?(\\s|$|\\))`, "i").test(text)
      if (!qualified.test(text) && !bare) continue
      const view = await tableView(t, allowed.size > 0 ? allowed : undefined, scanned, text.includes('"$path"'))
      created.push(`CREATE SCHEMA IF NOT EXISTS ${q(db)}`, `CREATE VIEW ${q(db)}.${q(name)} AS ${view}`)
      if (bare) created.push(`CREATE VIEW main.${q(name)} AS ${view}`)
    }
    // a view read by another is created first
    for (const [key, sql] of [...used].reverse()) {
      const [db, name] = key.split(".") as [string, string]
      created.push(`CREATE SCHEMA IF NOT EXISTS ${q(db)}`, `CREATE VIEW ${q(db)}.${q(name)} AS ${sql}`)
    }
    query.bytes = scanned.bytes
    return withDuck(async (run) => {
      for (const v of created) await run(v)
      if (then !== undefined) return then(run, select)
      const r = await run(select)
      return {
        columns: r.names.map((n: string, i: number) => ({ name: n, type: duckToTrino(r.types[i]!) })),
        rows: r.map((row: Array<unknown>) =>
          row.map((v) => (v === null ? null : Array.isArray(v) ? `[${v.join(", ")}]` : typeof v === "object" ? JSON.stringify(v) : String(v)))
        )
      }
    })
  }

  const props = (text: string | undefined) =>
    Object.fromEntries([...(text ?? "").matchAll(/'([^']+)'\s*=\s*'((?:[^']|'')*)'/g)].map((m) => [m[1]!, m[2]!.replaceAll("''", "'")]))
  const partValues = (spec: string) => [...spec.matchAll(/`?(\w+)`?\s*=\s*'([^']*)'/g)].map((m) => m[2]!)
  const nameIn = (query: FakeQuery, ref: string) => {
    const parts = ref.replace(/[`"]/g, "").split(".")
    return parts.length === 2 ? tableKey(parts[0]!, parts[1]!) : tableKey(query.database, parts[0]!)
  }
  const table = (query: FakeQuery, ref: string) => {
    const t = tables.get(nameIn(query, ref))
    if (t === undefined) throw new Error(`Table ${nameIn(query, ref)} not found`)
    return t
  }

  const execute = async (query: FakeQuery): Promise<void> => {
    const sql = query.sql.trim()
    let m: RegExpExecArray | null
    if ((m = /^CREATE EXTERNAL TABLE (IF NOT EXISTS )?([`"\w.]+)\s*\(([\s\S]*?)\n\)([\s\S]*)$/i.exec(sql))) {
      const key = nameIn(query, m[2]!)
      if (tables.has(key)) {
        if (m[1] === undefined) throw new Error(`AlreadyExistsException: Table ${key} already exists`)
        return
      }
      const rest = m[4]!
      tables.set(key, {
        name: key,
        columns: [...m[3]!.matchAll(/`(\w+)`\s+([\w<>(),]+)/g)].map((c) => ({ name: c[1]!, type: c[2]! })),
        partitionKeys: [...(/PARTITIONED BY \(([^)]*)\)/i.exec(rest)?.[1] ?? "").matchAll(/`(\w+)`/g)].map((p) => p[1]!),
        location: /LOCATION '([^']*)'/i.exec(rest)![1]!,
        format: /STORED AS PARQUET/i.test(rest) ? "parquet" : /OpenCSVSerde/i.test(rest) ? "csv" : "lines",
        props: props(/TBLPROPERTIES \(([\s\S]*)\)\s*$/i.exec(rest)?.[1]),
        partitions: new Map()
      })
      return
    }
    if ((m = /^ALTER TABLE ([`"\w.]+) ADD IF NOT EXISTS PARTITION \(([^)]*)\) LOCATION '([^']*)'$/i.exec(sql))) {
      const t = table(query, m[1]!)
      const values = partValues(m[2]!)
      if (!t.partitions.has(values.join("|"))) t.partitions.set(values.join("|"), { values, location: m[3]! })
      return
    }
    if ((m = /^ALTER TABLE ([`"\w.]+) (?:PARTITION \(([^)]*)\) )?SET LOCATION '([^']*)'$/i.exec(sql))) {
      const t = table(query, m[1]!)
      if (m[2] === undefined) t.location = m[3]!
      else {
        const values = partValues(m[2])
        if (!t.partitions.has(values.join("|"))) throw new Error(`Partition not found: ${values.join(", ")}`)
        t.partitions.set(values.join("|"), { values, location: m[3]! })
      }
      return
    }
    if ((m = /^CREATE OR REPLACE VIEW ([`"\w.]+) AS\s*([\s\S]*)$/i.exec(sql))) {
      const key = nameIn(query, m[1]!)
      // a view that does not bind fails its creation, as Athena's does
      await runSelect(query, `SELECT * FROM (${m[2]!}) AS v LIMIT 0`)
      views.set(key, m[2]!)
      return
    }
    if ((m = /^DROP VIEW IF EXISTS ([`"\w.]+)$/i.exec(sql))) {
      views.delete(nameIn(query, m[1]!))
      return
    }
    if ((m = /^DROP TABLE IF EXISTS ([`"\w.]+)$/i.exec(sql))) {
      tables.delete(nameIn(query, m[1]!))
      return
    }
    if ((m = /^CREATE TABLE ([`"\w.]+)\s*WITH \(([\s\S]*?)\)\s*AS\s*([\s\S]*)$/i.exec(sql))) {
      const key = nameIn(query, m[1]!)
      if (tables.has(key)) throw new Error(`TABLE_ALREADY_EXISTS: Table '${key}' already exists`)
      const location = /external_location\s*=\s*'([^']*)'/i.exec(m[2]!)![1]!
      if ((await list(location)).length > 0) throw new Error(`HIVE_PATH_ALREADY_EXISTS: Target directory for table '${key}' already exists: ${location}`)
      const columns = (await runSelect(query, m[3]!, async (run, select) => {
        const file = join(mirror, `ctas-${query.id}.parquet`)
        await run(`COPY (${select}) TO ${lit(file)} (FORMAT parquet, COMPRESSION zstd)`)
        const described = await run(`DESCRIBE SELECT * FROM read_parquet(${lit(file)})`)
        const { bucket, key: prefix } = s3Parts(location.endsWith("/") ? location : `${location}/`)
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${query.id}_00000`, Body: await readFile(file), ContentLength: (await stat(file)).size }))
        return described.map((r: Array<unknown>) => ({ name: String(r[0]), type: duckToHive(String(r[1])) }))
      })) as Array<{ name: string; type: string }>
      tables.set(key, { name: key, columns, partitionKeys: [], location, format: "parquet", props: {}, partitions: new Map() })
      return
    }
    if ((m = /^SELECT column_name, data_type FROM information_schema\.columns WHERE table_schema = '(\w+)' AND table_name = '(\w+)'/i.exec(sql))) {
      const t = tables.get(tableKey(m[1]!, m[2]!))
      const view = views.get(tableKey(m[1]!, m[2]!))
      if (view !== undefined) {
        const described = (await runSelect(query, `SELECT * FROM (${view}) AS v LIMIT 0`)) as { columns: Array<{ name: string; type: string }> }
        query.result = { columns: [{ name: "column_name", type: "varchar" }, { name: "data_type", type: "varchar" }], rows: described.columns.map((c) => [c.name, c.type]) }
        return
      }
      query.result = {
        columns: [{ name: "column_name", type: "varchar" }, { name: "data_type", type: "varchar" }],
        rows: (t?.columns ?? []).map((c) => [c.name, hiveToTrino(c.type)])
      }
      return
    }
    if (/^(SELECT|WITH|\()/i.test(sql)) {
      query.result = (await runSelect(query, sql)) as FakeQuery["result"]
      return
    }
    throw new Error(`line 1:1: mismatched input '${sql.split(/\s+/)[0]}'. Expecting: 'ALTER', 'CREATE', 'DROP', 'SELECT', 'WITH'`)
  }

  const start = (body: Record<string, any>): FakeQuery => {
    const workgroup = body["WorkGroup"] ?? "primary"
    if (!(workgroup in workgroups)) throw Object.assign(new Error(`WorkGroup ${workgroup} is not found.`), { type: "InvalidRequestException" })
    const sql = String(body["QueryString"])
    const query: FakeQuery = {
      id: randomUUID(),
      sql,
      workgroup,
      database: body["QueryExecutionContext"]?.["Database"] ?? "default",
      output: body["ResultConfiguration"]?.["OutputLocation"] ?? "",
      state: "QUEUED",
      bytes: 0,
      submitted: Date.now(),
      statementType: /^\s*(SELECT|WITH|CREATE TABLE .* AS)/is.test(sql) && !/^\s*CREATE EXTERNAL/i.test(sql) ? "DML" : "DDL"
    }
    queries.set(query.id, query)
    setTimeout(() => {
      if (query.state !== "QUEUED") return
      query.state = "RUNNING"
      const runningSince = Date.now()
      execute(query).then(
        () => {
          const cutoff = workgroups[workgroup]?.bytesScannedCutoff
          // held RUNNING, its bytes known, at least as long as it took to get here: a client polling with a doubling
          // delay sees this state (as it would a real query's growing scan), however slow the machine is
          setTimeout(() => {
            if (query.state !== "RUNNING") return
            if (cutoff !== undefined && query.bytes > cutoff) {
              query.state = "CANCELLED"
              query.reason = "Query cancelled! : Bytes scanned limit was exceeded"
            } else query.state = "SUCCEEDED"
            query.completed = Date.now()
          }, Math.max(runningMs, Date.now() - runningSince))
        },
        (e: Error) => {
          if (query.state !== "RUNNING") return
          query.state = "FAILED"
          const msg = (e.message ?? String(e)).split("\n")[0]!
          query.reason = /^[A-Z_]+: /.test(msg) ? msg : `GENERIC_USER_ERROR: ${msg}`
          query.completed = Date.now()
        }
      )
    }, 5)
    return query
  }

  const describe = (query: FakeQuery) => ({
    QueryExecution: {
      QueryExecutionId: query.id,
      Query: query.sql,
      StatementType: query.statementType,
      WorkGroup: query.workgroup,
      QueryExecutionContext: { Database: query.database },
      ResultConfiguration: { OutputLocation: `${query.output}${query.id}.csv` },
      Status: {
        State: query.state,
        SubmissionDateTime: query.submitted / 1000,
        ...(query.completed !== undefined ? { CompletionDateTime: query.completed / 1000 } : {}),
        ...(query.reason !== undefined ? { StateChangeReason: query.reason } : {}),
        ...(query.state === "FAILED" ? { AthenaError: { ErrorCategory: 2, ErrorType: 1006, Retryable: false, ErrorMessage: query.reason } } : {})
      },
      Statistics: {
        DataScannedInBytes: query.state === "QUEUED" ? 0 : query.bytes,
        EngineExecutionTimeInMillis: (query.completed ?? Date.now()) - query.submitted,
        TotalExecutionTimeInMillis: (query.completed ?? Date.now()) - query.submitted
      }
    }
  })

  const results = (body: Record<string, any>) => {
    const query = queries.get(body["QueryExecutionId"])
    if (query === undefined) throw Object.assign(new Error(`QueryExecution ${body["QueryExecutionId"]} was not found`), { type: "InvalidRequestException" })
    if (query.state !== "SUCCEEDED") throw Object.assign(new Error(`Query has not yet finished. Current state: ${query.state}`), { type: "InvalidRequestException" })
    const res = query.result ?? { columns: [], rows: [] }
    const all = res.columns.length > 0 ? [res.columns.map((c) => c.name), ...res.rows] : []
    const offset = body["NextToken"] !== undefined ? Number(body["NextToken"]) : 0
    const size = Math.min(Number(body["MaxResults"] ?? 1000), 1000)
    const page = all.slice(offset, offset + size)
    return {
      UpdateCount: 0,
      ResultSet: {
        Rows: page.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) })),
        ResultSetMetadata: { ColumnInfo: res.columns.map((c) => ({ CatalogName: "hive", SchemaName: "", TableName: "", Name: c.name, Label: c.name, Type: c.type.replace(/\(.*$/, ""), Precision: 0, Scale: 0, Nullable: "UNKNOWN", CaseSensitive: true })) }
      },
      ...(offset + size < all.length ? { NextToken: String(offset + size) } : {})
    }
  }

  const handle = (action: string, body: Record<string, any>): unknown => {
    switch (action) {
      case "StartQueryExecution":
        return { QueryExecutionId: start(body).id }
      case "GetQueryExecution": {
        const query = queries.get(body["QueryExecutionId"])
        if (query === undefined) throw Object.assign(new Error(`QueryExecution ${body["QueryExecutionId"]} was not found`), { type: "InvalidRequestException" })
        return describe(query)
      }
      case "GetQueryResults":
        return results(body)
      case "StopQueryExecution": {
        const query = queries.get(body["QueryExecutionId"])
        if (query !== undefined && (query.state === "QUEUED" || query.state === "RUNNING")) {
          query.state = "CANCELLED"
          query.reason = "Query was cancelled by user"
          query.completed = Date.now()
        }
        return {}
      }
      default:
        throw Object.assign(new Error(`Unknown operation ${action}`), { type: "UnknownOperationException" })
    }
  }

  const readBody = async (req: IncomingMessage) => {
    const chunks: Array<Buffer> = []
    for await (const c of req) chunks.push(c as Buffer)
    return Buffer.concat(chunks).toString("utf8")
  }

  const server: Server = createServer(async (req, res) => {
    const action = String(req.headers["x-amz-target"] ?? "").replace(/^AmazonAthena\./, "")
    const text = await readBody(req)
    const reply = (status: number, payload: unknown, type?: string) => {
      calls.push({ action, status })
      res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID(), ...(type ? { "x-amzn-errortype": type } : {}) })
      res.end(JSON.stringify(payload))
    }
    const throttle = throttles.get(action)
    if (throttle !== undefined && throttle.left > 0) {
      throttle.left--
      return reply(400, { __type: throttle.type, Message: "Rate exceeded", Reason: "CONCURRENT_QUERY_LIMIT_EXCEEDED" }, throttle.type)
    }
    try {
      reply(200, handle(action, JSON.parse(text || "{}")))
    } catch (e) {
      const type = (e as { type?: string }).type ?? "InternalServerException"
      reply(type === "InternalServerException" ? 500 : 400, { __type: type, Message: (e as Error).message }, type)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as { port: number }).port

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    queries,
    tables,
    views,
    /** the next `times` calls of an action are answered with a throttling error */
    throttle: (action: string, times: number, type: "ThrottlingException" | "TooManyRequestsException" = "TooManyRequestsException") =>
      throttles.set(action, { left: times, type }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

export type FakeAthena = Awaited<ReturnType<typeof startFakeAthena>>
