import { Data, type Duration, type Effect, type Schema } from "effect"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import type { PartitionsDefinition, Window } from "../partitions/PartitionsDefinition.js"
import type { PartitionMapping } from "../partitions/mappings/PartitionMapping.js"
import { assetKey, type AssetKey } from "./AssetKey.js"
import { codeVersionOf } from "./codeVersion.js"
import { MAX_CODE_VERSION } from "./versionLimits.js"
import { columnsOf, type ColumnSpec } from "./columns.js"
import { attachChecks } from "../checks/attach.js"
import type { AttachedCheck, CheckDef } from "../checks/Check.js"
import { freshnessPolicy, type AutomationCondition, type FreshnessPolicy } from "../automation/AutomationCondition.js"
import { materializationProblems, mergeDefinition, type Materialization, type MergeIncremental } from "./materialization.js"

export type Zone = "landing" | "clean" | "curated"
export type FileFormat = "parquet" | "csv" | "jsonl"

/** One input of an asset: the upstream and how its partitions map onto ours (default chosen from both sides). */
export interface Dependency {
  readonly asset: AnyAssetDef
  readonly mapping: PartitionMapping | undefined
}

/** Stands for the asset being defined, in a self-dependency; replaced by the asset itself in defineAsset. */
const SELF = { _tag: "Self" } as const

/**
 * An input reading earlier partitions of the asset itself, e.g. a running total reading its previous month:
 * `deps: { previous: selfDependency(timeWindow({ startOffset: -1, endOffset: -1 })) }`.
 */
export const selfDependency = (mapping: PartitionMapping): Dependency => ({ asset: SELF as unknown as AnyAssetDef, mapping })

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
  /** an upstream kept as a view: its name and the SQL it was created with, which an engine reads instead of files */
  readonly view?: { readonly name: string; readonly sql: string }
}

export interface SqlContext {
  /** each named input as an SQL relation the engine can read */
  readonly inputs: Readonly<Record<string, string>>
  readonly partition: PartitionKey | undefined
  /** the UTC bounds of the partition's time window (a multi-partition's time dimension), as SQL-ready ISO strings */
  readonly window: Window | undefined
  /** a multi-partition key's value per dimension (`{ month: "2023-08", region: "europe" }`) */
  readonly dimensions?: Readonly<Record<string, string>> | undefined
}

export interface ComputeContext {
  readonly key: AssetKey
  readonly partition: PartitionKey | undefined
  readonly window: Window | undefined
  readonly dimensions: Readonly<Record<string, string>> | undefined
  readonly inputs: Readonly<Record<string, InputFiles>>
  /** the staging path this compute writes its output to (committed by the runtime) */
  readonly outputPath: string
  readonly format: FileFormat
}

export type Compute<R> =
  | { readonly _tag: "Sql"; readonly sql: (ctx: SqlContext) => string; readonly source: string }
  | { readonly _tag: "Effect"; readonly run: (ctx: ComputeContext) => Effect.Effect<ComputeResult | void, unknown, R>; readonly source: string }

/**
 * What an Effect compute may return: its own data version (a logical version, e.g. the newest event time it
 * read), used instead of the hash of the output's content.
 */
export interface ComputeResult {
  readonly dataVersion?: string
}

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
  readonly tags: ReadonlyArray<string>
  readonly deps: Readonly<Record<string, Dependency>>
  readonly schema: Schema.Schema<Row, any, never>
  readonly columns: ReadonlyArray<ColumnSpec>
  readonly partitions: PartitionsDefinition | undefined
  readonly zone: Zone
  readonly format: FileFormat
  readonly codeVersion: string
  readonly compute: Compute<R>
  readonly sideOutputs: Readonly<Record<string, SideOutput>>
  /** data-quality checks run on each partition's output before it is published (runtime/checks/) */
  readonly checks: ReadonlyArray<AttachedCheck>
  /** when the daemon materializes it (runtime/automation/) */
  readonly automation: AutomationCondition | undefined
  /** how old its newest data may get before it is overdue */
  readonly freshness: FreshnessPolicy | undefined
  /** `view`: created in the engine's catalog, no rows in the lake (runtime/asset/materialization.ts); absent: a table */
  readonly materialization?: Materialization
  /** upserted by key, partition after partition (runtime/asset/materialization.ts) */
  readonly incremental?: MergeIncremental
}

/** What observing a source found: one data version, or one per partition (partitions with no data are absent). */
export type Observation =
  | { readonly _tag: "Whole"; readonly dataVersion: string; readonly metadata?: Record<string, unknown> }
  | { readonly _tag: "Partitioned"; readonly partitions: ReadonlyMap<PartitionKey, string> }

export interface SourceDef<R = never> {
  readonly _tag: "Source"
  readonly key: AssetKey
  readonly description: string
  readonly group: string
  readonly tags: ReadonlyArray<string>
  readonly partitions: PartitionsDefinition | undefined
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
  /** labels to select by (`tag:pii`); a `key=value` tag is selected by `tag:key=value` */
  readonly tags?: ReadonlyArray<string>
  readonly deps?: Readonly<Record<string, DepInput>>
  readonly schema: Schema.Schema<Row, any, never>
  readonly partitions?: PartitionsDefinition
  readonly zone?: Zone
  readonly format?: FileFormat
  /**
   * The version of the code that computes it: a change marks every partition stale. SQL assets default to a hash
   * of their rendered SQL (whitespace-insensitive); an Effect compute must give one (docs/concepts.md).
   */
  readonly codeVersion?: string
  readonly sideOutputs?: Readonly<Record<string, SideOutput>>
  /** checks of each partition's output (`notNull("id")`, `defineCheck({...})`): a failing blocking one keeps it unpublished */
  readonly checks?: ReadonlyArray<CheckDef>
  /** when `assets daemon` materializes it: `eager()`, `onCron("0 6 * * *")`, `onMissing()`, combined with and/or/not/ignoring */
  readonly automation?: AutomationCondition
  /** e.g. `{ maxLag: "15m" }`: overdue when its newest data is older than that while it is not fresh */
  readonly freshness?: { readonly maxLag: Duration.DurationInput | string }
  /** `"view"`: a view in the engine instead of rows in the lake (SQL assets, not partitioned) */
  readonly materialization?: Materialization
  /** `{ mode: "merge", key: ["id"] }`: each time partition merges its delivery into the previous one's output */
  readonly incremental?: MergeIncremental
}

/** A definition the framework cannot accept, reported when the configuration is loaded. */
export class AssetDefinitionError extends Data.TaggedError("AssetDefinitionError")<{ readonly message: string }> {}

/** An asset computed by SQL over its inputs. */
export function defineAsset<Row>(
  options: AssetOptions<Row, never> & { readonly sql: (ctx: SqlContext) => string }
): AssetDef<Row, never>
/** An asset computed by any Effect, which writes `ctx.outputPath`; its `codeVersion` is required. */
export function defineAsset<Row, R>(
  options: AssetOptions<Row, R> & {
    readonly codeVersion: string
    readonly compute: (ctx: ComputeContext) => Effect.Effect<ComputeResult | void, unknown, R>
  }
): AssetDef<Row, R>
export function defineAsset(given: any): AssetDef<any, any> {
  const problems = materializationProblems(given)
  if (problems.length > 0) throw new AssetDefinitionError({ message: problems.join("; ") })
  const options = given.incremental === undefined ? given : mergeDefinition(given, selfDependency)
  if (options.sql === undefined && (typeof options.codeVersion !== "string" || options.codeVersion.trim() === "")) {
    // a function's text is what a compiler made of it: it differs between builds, and misses the values it closes over
    throw new AssetDefinitionError({
      message: `asset '${options.key}' computes with an Effect, so it needs a codeVersion: give it one (e.g. codeVersion: "1") and change it whenever what the compute produces changes, including values it closes over`
    })
  }
  if (typeof options.codeVersion === "string" && options.codeVersion.length > MAX_CODE_VERSION) {
    throw new AssetDefinitionError({
      message: `asset '${options.key}' has a codeVersion of ${options.codeVersion.length} characters: give at most ${MAX_CODE_VERSION} (a hash of a long text will do)`
    })
  }
  const compute: Compute<any> =
    options.sql !== undefined
      ? { _tag: "Sql", sql: options.sql, source: sqlSource(options.sql, options.sideOutputs) }
      : { _tag: "Effect", run: options.compute, source: String(options.compute) }
  const deps: Record<string, Dependency> = Object.fromEntries(
    Object.entries((options.deps ?? {}) as Record<string, DepInput>).map(([k, d]) => [k, toDependency(d)])
  )
  const def: AssetDef<any, any> = {
    _tag: "Asset",
    key: assetKey(options.key),
    description: options.description ?? "",
    group: options.group ?? "default",
    tags: tagsOf(options.key, options.tags),
    deps,
    schema: options.schema,
    columns: columnsOf(options.schema),
    partitions: options.partitions,
    zone: options.zone ?? "curated",
    format: options.format ?? "parquet",
    codeVersion: options.codeVersion ?? codeVersionOf(compute.source),
    compute,
    sideOutputs: options.sideOutputs ?? {},
    checks: attachChecks(options.key, options.checks, deps, Object.keys(options.sideOutputs ?? {})),
    automation: options.automation,
    freshness: options.freshness === undefined ? undefined : freshnessPolicy(options.key, options.freshness),
    ...(options.materialization === "view" ? { materialization: "view" as const } : {}),
    ...(options.incremental !== undefined ? { incremental: options.incremental } : {})
  }
  for (const [name, d] of Object.entries(deps)) if ((d.asset as unknown) === SELF) deps[name] = { asset: def, mapping: d.mapping }
  return def
}

const tagsOf = (key: string, tags: ReadonlyArray<string> | undefined): ReadonlyArray<string> => {
  for (const t of tags ?? []) {
    if (!/^[a-z0-9_.-]+(=[^\s,]+)?$/i.test(t)) {
      throw new AssetDefinitionError({ message: `asset '${key}': tag '${t}' must be a word or key=value, without spaces or commas` })
    }
  }
  return tags ?? []
}

/**
 * The SQL text rendered with placeholder inputs, so the code version follows the SQL a user wrote and not
 * the JavaScript around it; side outputs are part of the same code.
 */
const sqlSource = (sql: (ctx: SqlContext) => string, sideOutputs: Readonly<Record<string, SideOutput>> | undefined) => {
  const inputs = new Proxy({}, { get: (_, name) => `{{${String(name)}}}` }) as Record<string, string>
  const dimensions = new Proxy({}, { get: (_, name) => `{{${String(name)}}}` }) as Record<string, string>
  const ctx: SqlContext = { inputs, partition: "{{partition}}" as PartitionKey, window: { start: "{{start}}", end: "{{end}}" }, dimensions }
  const side = Object.entries(sideOutputs ?? {}).map(([name, s]) => `-- ${name}\n${s.sql(ctx)}`)
  return [sql(ctx), ...side].join("\n")
}

/** Data the runtime does not produce; observing it yields a data version. */
export const defineSource = <R>(options: {
  readonly key: string
  readonly description?: string
  readonly group?: string
  readonly tags?: ReadonlyArray<string>
  readonly partitions?: PartitionsDefinition
  readonly format?: FileFormat
  readonly prefix?: (partition: PartitionKey | undefined) => string
  readonly observe: Effect.Effect<Observation, unknown, R>
}): SourceDef<R> => ({
  _tag: "Source",
  key: assetKey(options.key),
  description: options.description ?? "",
  group: options.group ?? "sources",
  tags: tagsOf(options.key, options.tags),
  partitions: options.partitions,
  format: options.format ?? "jsonl",
  prefix: options.prefix,
  observe: options.observe
})

/** The lake path of an asset's committed output for a partition (Hive-style folders, so Athena and Spark read it). */
export const outputPath = (asset: AssetDef<any, any>, partition: PartitionKey | undefined, name = "data"): string =>
  `${asset.zone}/${asset.key}/${partitionFolder(asset, partition)}${name}.${asset.format === "jsonl" ? "jsonl" : asset.format}`

/** The folders of a partition as its definition writes them (`year=2023/month=08/`, `region=europe/`). */
export const partitionFolder = (asset: AnyAssetDef, partition: PartitionKey | undefined): string =>
  partition === undefined || asset.partitions === undefined ? "" : asset.partitions.folder(partition)

/** Side outputs are always Parquet, beside the main output. */
export const sideOutputPath = (asset: AssetDef<any, any>, partition: PartitionKey | undefined, name: string): string =>
  `${asset.zone}/${asset.key}/_${name}/${partitionFolder(asset, partition)}${name}.parquet`
