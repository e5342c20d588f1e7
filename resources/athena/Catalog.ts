import { Context, Effect, Layer } from "effect"
import type { AnyAssetDef, FileFormat } from "../../runtime/asset/Asset.js"
import { columnsOf, type ColumnSpec } from "../../runtime/asset/columns.js"
import { createTable } from "../../runtime/asset/ddl.js"
import type { PartitionKey } from "../../runtime/partitions/PartitionKey.js"
import { contextAt, type PartitionsDefinition } from "../../runtime/partitions/PartitionsDefinition.js"
import type { Committed } from "../s3/S3Lake.js"
import { AthenaError, AthenaQueries } from "./AthenaQueries.js"

/** A table Athena reads: an asset's output, a side output, or a landing prefix of raw lines. */
export interface TableDef {
  readonly table: string
  readonly columns: ReadonlyArray<ColumnSpec>
  readonly format: FileFormat
  readonly partitioned: boolean
  /** the partition columns, in folder order (`year`, `month`; `region` too for a month x region asset) */
  readonly partitionKeys?: ReadonlyArray<string>
  /** lake path of the table's folder, ending in "/" */
  readonly base: string
  /** landing sources: where a month's files are, with ${year} and ${month} (partition projection, nothing to register) */
  readonly template?: string
}

export interface Located {
  readonly def: TableDef
  /** the partition's values by partition column, in folder order */
  readonly partition: Readonly<Record<string, string>> | undefined
}

/** A partitioned table's partition columns: `year`, `month` unless its definition writes other folders. */
export const keysOfTable = (def: TableDef): ReadonlyArray<string> => def.partitionKeys ?? ["year", "month"]

/** The Hive folder names an asset's partitions are written under (`year=2023/month=08/region=europe/`). */
const partitionKeysOf = (partitions: PartitionsDefinition): ReadonlyArray<string> | undefined => {
  const sample = partitions.keys(contextAt())[0]
  const folder = sample === undefined ? undefined : partitions.folder(sample)
  const names = folder === undefined ? [] : [...folder.matchAll(/([^/=]+)=[^/]*\//g)].map((m) => m[1]!)
  return names.length === 0 || names.join(",") === "year,month" ? undefined : names
}

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`

/** The tables of a project's assets: one per asset, one per side output (`<asset>_<name>`), one per landing source. */
export const tablesOf = (assets: ReadonlyArray<AnyAssetDef>): ReadonlyArray<TableDef> =>
  assets.flatMap((a): ReadonlyArray<TableDef> => {
    if (a._tag === "Source") {
      if (a.prefix === undefined || a.partitions === undefined || a.format !== "jsonl") return []
      const sample = a.prefix("2000-01" as PartitionKey)
      const y = sample.indexOf("2000")
      const m = sample.indexOf("01", y + 4)
      if (y < 0 || m < 0) return []
      const template = `${sample.slice(0, y)}\${year}${sample.slice(y + 4, m)}\${month}${sample.slice(m + 2)}`
      return [{ table: a.key, columns: [{ name: "line", type: { _tag: "Text" }, nullable: true }], format: "jsonl", partitioned: true, base: sample.slice(0, y), template }]
    }
    // a view is created by its engine, not registered over files
    if (a.materialization === "view") return []
    const keys = a.partitions === undefined ? undefined : partitionKeysOf(a.partitions)
    const own: TableDef = { table: a.key, columns: a.columns, format: a.format, partitioned: a.partitions !== undefined, base: `${a.zone}/${a.key}/`, ...(keys ? { partitionKeys: keys } : {}) }
    const sides = Object.entries(a.sideOutputs).map(
      ([name, side]): TableDef => ({
        table: `${a.key}_${name}`,
        columns: columnsOf(side.schema),
        format: "parquet",
        partitioned: a.partitions !== undefined,
        base: `${a.zone}/${a.key}/_${name}/`,
        ...(keys ? { partitionKeys: keys } : {})
      })
    )
    return [own, ...sides]
  })

/** The table and partition a lake path belongs to (committed outputs and landing files). */
export const locate = (tables: ReadonlyArray<TableDef>, path: string): Located | undefined => {
  // longest base first: a side output's folder sits inside its asset's
  for (const def of [...tables].sort((a, b) => b.base.length - a.base.length)) {
    if (!path.startsWith(def.base)) continue
    const rest = path.slice(def.base.length)
    if (def.template !== undefined) {
      const m = /^(\d{4})\/(\d{2})\/[^/]+$/.exec(rest)
      if (m !== null) return { def, partition: { year: m[1]!, month: m[2]! } }
      continue
    }
    const m = /^((?:[^/=]+=[^/]+\/)*)[^/]+$/.exec(rest)
    if (m === null) continue
    const pairs = [...m[1]!.matchAll(/([^/=]+)=([^/]+)\//g)].map((p) => [p[1]!, p[2]!] as const)
    if (!def.partitioned) {
      if (pairs.length > 0) continue
      return { def, partition: undefined }
    }
    if (pairs.map(([k]) => k).join(",") !== keysOfTable(def).join(",")) continue
    return { def, partition: Object.fromEntries(pairs) }
  }
  return undefined
}

/** The DDL registering a table, from its asset's Schema (runtime/asset/ddl.ts) plus storage and location. */
export const tableDdl = (def: TableDef, lakeRoot: string): string => {
  const location = `${lakeRoot.replace(/\/+$/, "")}/${def.base}`
  const head = createTable(def.table, def.columns, "athena")
  const partitioned = def.partitioned ? `\nPARTITIONED BY (${keysOfTable(def).map((k) => `\`${k}\` string`).join(", ")})` : ""
  switch (def.format) {
    case "parquet":
      return `${head}${partitioned}\nSTORED AS PARQUET\nLOCATION ${lit(location)}\nTBLPROPERTIES ('parquet.compression' = 'ZSTD')`
    case "csv":
      return `${head}${partitioned}\nROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'\nWITH SERDEPROPERTIES ('separatorChar' = ',', 'quoteChar' = '"', 'escapeChar' = '\\\\')\nSTORED AS TEXTFILE\nLOCATION ${lit(location)}\nTBLPROPERTIES ('skip.header.line.count' = '1')`
    case "jsonl": {
      const projection =
        def.template === undefined
          ? ""
          : `,\n  'projection.enabled' = 'true',\n  'projection.year.type' = 'integer', 'projection.year.range' = '2000,2100',\n  'projection.month.type' = 'integer', 'projection.month.range' = '1,12', 'projection.month.digits' = '2',\n  'storage.location.template' = ${lit(`${lakeRoot.replace(/\/+$/, "")}/${def.template}`)}`
      return `${head}${partitioned}\nROW FORMAT DELIMITED FIELDS TERMINATED BY '\\u0001' LINES TERMINATED BY '\\n'\nSTORED AS TEXTFILE\nLOCATION ${lit(location)}\nTBLPROPERTIES ('classification' = 'raw_lines'${projection})`
    }
  }
}

const partitionSpec = (p: Readonly<Record<string, string>>) => `(${Object.entries(p).map(([k, v]) => `\`${k}\` = ${lit(v)}`).join(", ")})`

/** The statements that point a committed output's table (or partition) at its new version folder, in one step each. */
export const switchDdl = (located: Located, location: string): ReadonlyArray<string> =>
  located.partition === undefined
    ? [`ALTER TABLE \`${located.def.table}\` SET LOCATION ${lit(location)}`]
    : [
        `ALTER TABLE \`${located.def.table}\` ADD IF NOT EXISTS PARTITION ${partitionSpec(located.partition)} LOCATION ${lit(location)}`,
        `ALTER TABLE \`${located.def.table}\` PARTITION ${partitionSpec(located.partition)} SET LOCATION ${lit(location)}`
      ]

/**
 * The Athena catalog of the project: each asset registered as a table (created on first use), each committed
 * output switched in as the table's or partition's location. Analysts query the tables directly.
 */
export class Catalog extends Context.Tag("resources/AthenaCatalog")<
  Catalog,
  {
    readonly database: string
    readonly tables: ReadonlyArray<TableDef>
    readonly locate: (path: string) => Located | undefined
    /** creates the table if this process has not yet */
    readonly ensure: (def: TableDef) => Effect.Effect<void, AthenaError>
    /** the S3 lake's commit hook */
    readonly register: (committed: ReadonlyArray<Committed>) => Effect.Effect<void, AthenaError>
  }
>() {}

export const make = (assets: ReadonlyArray<AnyAssetDef>, lakeRoot: string) =>
  Effect.gen(function* () {
    const queries = yield* AthenaQueries
    const tables = tablesOf(assets)
    const ensured = new Map<string, Promise<void> | true>()
    const ensure = (def: TableDef) =>
      ensured.get(def.table) === true
        ? Effect.void
        : queries.run(tableDdl(def, lakeRoot)).pipe(Effect.tap(() => Effect.sync(() => ensured.set(def.table, true))), Effect.asVoid)
    const register = (committed: ReadonlyArray<Committed>) =>
      Effect.forEach(
        committed,
        (c) => {
          const located = locate(tables, c.path)
          if (located === undefined) return Effect.void
          return ensure(located.def).pipe(Effect.zipRight(Effect.forEach(switchDdl(located, c.location), queries.run, { discard: true })))
        },
        { discard: true }
      )
    return Catalog.of({ database: queries.config.database, tables, locate: (p) => locate(tables, p), ensure, register })
  })

export const layer = (assets: ReadonlyArray<AnyAssetDef>, lakeRoot: string) => Layer.effect(Catalog, make(assets, lakeRoot))
