import { Data, type Effect, type Schema } from "effect"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import type { MonthlyPartitions } from "../partitions/MonthlyPartitions.js"
import type { PartitionMapping } from "../partitions/mappings/PartitionMapping.js"
import { assetKey, type AssetKey } from "./AssetKey.js"
import { codeVersionOf } from "./codeVersion.js"
import { columnsOf, type ColumnSpec } from "./columns.js"

export type Zone = "landing" | "clean" | "curated"
export type FileFormat = "parquet" | "csv" | "jsonl"

/** One input of an asset: the upstream and how its partitions map onto ours (default chosen from both sides). */
export interface Dependency {
  readonly asset: AnyAssetDef
  readonly mapping: PartitionMapping | undefined
}

/** The files one input resolves to for one run of a compute, already listed. */
export interface InputFiles {
  readonly format: FileFormat
  /** stable lake paths (what outside readers and a catalog know) */
  readonly paths: ReadonlyArray<string>
  /**
   * where each of `paths` is read now: the version its current record names (for sources, the path itself). An
   * engine reading files reads these, so a compute sees exactly what the record says it read. Default: `paths`.
   */
  readonly locations?: ReadonlyArray<string>
  /** the upstream columns when known (sources of raw lines have none) */
  readonly columns: ReadonlyArray<ColumnSpec> | undefined
}

export interface SqlContext {
  /** each named input as an SQL relation the engine can read */
  readonly inputs: Readonly<Record<string, string>>
  readonly partition: PartitionKey | undefined
  /** the UTC bounds of the partition's month, as SQL-ready ISO strings */
  readonly window: { readonly start: string; readonly end: string } | undefined
}

export interface ComputeContext {
  readonly key: AssetKey
  readonly partition: PartitionKey | undefined
  readonly inputs: Readonly<Record<string, InputFiles>>
  /** the staging path this compute writes its output to (committed by the runtime) */
  readonly outputPath: string
  readonly format: FileFormat
}

export type Compute<R> =
  | { readonly _tag: "Sql"; readonly sql: (ctx: SqlContext) => string; readonly source: string }
  | { readonly _tag: "Effect"; readonly run: (ctx: ComputeContext) => Effect.Effect<void, unknown, R>; readonly source: string }

/** A second output of the same compute (e.g. rejected rows with their reason). */
export interface SideOutput {
  readonly schema: Schema.Schema.Any
  readonly sql: (ctx: SqlContext) => string
  /** a column to count the rows by (e.g. a rejection's `reason`): the top counts are kept with the materialization */
  readonly countBy?: string
  /** the rows themselves are kept with the materialization (a small summary, e.g. where each line went) */
  readonly recordRows?: boolean
}

export interface AssetDef<Row = unknown, R = never> {
  readonly _tag: "Asset"
  readonly key: AssetKey
  readonly description: string
  readonly group: string
  readonly deps: Readonly<Record<string, Dependency>>
  readonly schema: Schema.Schema<Row, any, never>
  readonly columns: ReadonlyArray<ColumnSpec>
  readonly partitions: MonthlyPartitions | undefined
  readonly zone: Zone
  readonly format: FileFormat
  readonly codeVersion: string
  readonly compute: Compute<R>
  readonly sideOutputs: Readonly<Record<string, SideOutput>>
}

/** What observing a source found: one data version, or one per partition (months with no data are absent). */
export type Observation =
  | { readonly _tag: "Whole"; readonly dataVersion: string; readonly metadata?: Record<string, unknown> }
  | { readonly _tag: "Partitioned"; readonly partitions: ReadonlyMap<PartitionKey, string> }

export interface SourceDef<R = never> {
  readonly _tag: "Source"
  readonly key: AssetKey
  readonly description: string
  readonly group: string
  readonly partitions: MonthlyPartitions | undefined
  readonly format: FileFormat
  /** lake path prefix holding a partition's files (sources the lake does not hold return undefined) */
  readonly prefix: ((partition: PartitionKey | undefined) => string) | undefined
  readonly observe: Effect.Effect<Observation, unknown, R>
}

export type AnyAssetDef = AssetDef<any, any> | SourceDef<any>

type DepInput = AnyAssetDef | Dependency

const toDependency = (d: DepInput): Dependency => ("_tag" in d ? { asset: d, mapping: undefined } : d)

/** An input with an explicit partition mapping. */
export const dep = (asset: AnyAssetDef, mapping: PartitionMapping): Dependency => ({ asset, mapping })

interface AssetOptions<Row, R> {
  readonly key: string
  readonly description?: string
  readonly group?: string
  readonly deps?: Readonly<Record<string, DepInput>>
  readonly schema: Schema.Schema<Row, any, never>
  readonly partitions?: MonthlyPartitions
  readonly zone?: Zone
  readonly format?: FileFormat
  /**
   * The version of the code that computes it: a change marks every partition stale. SQL assets default to a hash
   * of their rendered SQL (whitespace-insensitive); an Effect compute must give one (docs/concepts.md).
   */
  readonly codeVersion?: string
  readonly sideOutputs?: Readonly<Record<string, SideOutput>>
}

/** A definition the framework cannot accept, reported when the configuration is loaded. */
export class AssetDefinitionError extends Data.TaggedError("AssetDefinitionError")<{ readonly message: string }> {}

/** An asset computed by SQL over its inputs. */
export function defineAsset<Row>(
  options: AssetOptions<Row, never> & { readonly sql: (ctx: SqlContext) => string }
): AssetDef<Row, never>
/** An asset computed by any Effect, which writes `ctx.outputPath`; its `codeVersion` is required. */
export function defineAsset<Row, R>(
  options: AssetOptions<Row, R> & { readonly codeVersion: string; readonly compute: (ctx: ComputeContext) => Effect.Effect<void, unknown, R> }
): AssetDef<Row, R>
export function defineAsset(options: any): AssetDef<any, any> {
  if (options.sql === undefined && (typeof options.codeVersion !== "string" || options.codeVersion.trim() === "")) {
    // a function's text is what a compiler made of it: it differs between builds, and misses the values it closes over
    throw new AssetDefinitionError({
      message: `asset '${options.key}' computes with an Effect, so it needs a codeVersion: give it one (e.g. codeVersion: "1") and change it whenever what the compute produces changes, including values it closes over`
    })
  }
  const compute: Compute<any> =
    options.sql !== undefined
      ? { _tag: "Sql", sql: options.sql, source: sqlSource(options.sql, options.sideOutputs) }
      : { _tag: "Effect", run: options.compute, source: String(options.compute) }
  return {
    _tag: "Asset",
    key: assetKey(options.key),
    description: options.description ?? "",
    group: options.group ?? "default",
    deps: Object.fromEntries(Object.entries((options.deps ?? {}) as Record<string, DepInput>).map(([k, d]) => [k, toDependency(d)])),
    schema: options.schema,
    columns: columnsOf(options.schema),
    partitions: options.partitions,
    zone: options.zone ?? "curated",
    format: options.format ?? "parquet",
    codeVersion: options.codeVersion ?? codeVersionOf(compute.source),
    compute,
    sideOutputs: options.sideOutputs ?? {}
  }
}

/**
 * The SQL text rendered with placeholder inputs, so the code version follows the SQL a user wrote and not
 * the JavaScript around it; side outputs are part of the same code.
 */
const sqlSource = (sql: (ctx: SqlContext) => string, sideOutputs: Readonly<Record<string, SideOutput>> | undefined) => {
  const inputs = new Proxy({}, { get: (_, name) => `{{${String(name)}}}` }) as Record<string, string>
  const ctx: SqlContext = { inputs, partition: "{{partition}}" as PartitionKey, window: { start: "{{start}}", end: "{{end}}" } }
  const side = Object.entries(sideOutputs ?? {}).map(([name, s]) => `-- ${name}\n${s.sql(ctx)}`)
  return [sql(ctx), ...side].join("\n")
}

/** Data the runtime does not produce; observing it yields a data version. */
export const defineSource = <R>(options: {
  readonly key: string
  readonly description?: string
  readonly group?: string
  readonly partitions?: MonthlyPartitions
  readonly format?: FileFormat
  readonly prefix?: (partition: PartitionKey | undefined) => string
  readonly observe: Effect.Effect<Observation, unknown, R>
}): SourceDef<R> => ({
  _tag: "Source",
  key: assetKey(options.key),
  description: options.description ?? "",
  group: options.group ?? "sources",
  partitions: options.partitions,
  format: options.format ?? "jsonl",
  prefix: options.prefix,
  observe: options.observe
})

/** The lake path of an asset's committed output for a partition (Hive-style folders, so Athena and Spark read it). */
export const outputPath = (asset: AssetDef<any, any>, partition: PartitionKey | undefined, name = "data"): string =>
  `${asset.zone}/${asset.key}/${partitionFolder(partition)}${name}.${asset.format === "jsonl" ? "jsonl" : asset.format}`

export const partitionFolder = (partition: PartitionKey | undefined): string =>
  partition === undefined ? "" : `year=${partition.slice(0, 4)}/month=${partition.slice(5, 7)}/`

/** Side outputs are always Parquet, beside the main output. */
export const sideOutputPath = (asset: AssetDef<any, any>, partition: PartitionKey | undefined, name: string): string =>
  `${asset.zone}/${asset.key}/_${name}/${partitionFolder(partition)}${name}.parquet`
