import { Data, type Effect } from "effect"
import type { AnyAssetDef, SqlContext } from "../asset/Asset.js"
import type { AssetKey } from "../asset/AssetKey.js"
import { codeVersionOf, shortHash } from "../asset/codeVersion.js"
import type { Engine } from "../engine/Engine.js"
import type { Materialization } from "../events/records.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"

/** `error`: the check guards the output (blocking by default); `warn`: its failure is recorded and shown, nothing more. */
export type Severity = "error" | "warn"

/** What a check's SQL reads: relations over the output of one partition, its side outputs and the asset's inputs. */
export interface CheckSqlContext {
  /** the output being checked, of this partition only */
  readonly output: string
  /** the asset's side outputs (e.g. `rejected`), of this partition */
  readonly sideOutputs: Readonly<Record<string, string>>
  /** the asset's inputs by their name in `deps`, at the versions the checked materialization read */
  readonly inputs: Readonly<Record<string, string>>
  /** the input that reads `asset` (one of the asset's `deps`) */
  readonly input: (asset: AnyAssetDef | string) => string
  readonly partition: PartitionKey | undefined
  /** the UTC bounds of the partition's time window, as SQL-ready ISO strings */
  readonly window: SqlContext["window"]
}

/** Earlier outputs of the checked asset, to compare with (e.g. a row count not below half of last month's). */
export interface PreviousOutputs {
  /** the materialization of this partition before the one checked */
  readonly materialization: Materialization | undefined
  /** the current materialization of the nearest earlier partition that has one */
  readonly partition: Materialization | undefined
}

/** What an Effect check is given: the SQL context, the output's row counts and a lookup of earlier outputs. */
export interface CheckContext extends CheckSqlContext {
  readonly asset: AssetKey
  readonly rowCount: number
  /** rows of each side output */
  readonly sideOutputRows: Readonly<Record<string, number>>
  /** looked up only when a check asks */
  readonly previous: Effect.Effect<PreviousOutputs, unknown>
}

/** An Effect check's answer; a SQL check's is its failing rows. */
export interface CheckOutcome {
  readonly passed: boolean
  readonly message?: string
  readonly failingRows?: number
  readonly sample?: ReadonlyArray<Record<string, unknown>>
  readonly metadata?: Record<string, unknown>
}

export type CheckBody =
  | {
      readonly _tag: "Sql"
      /** the failing rows */
      readonly sql: (ctx: CheckSqlContext) => string
      /**
       * an aggregate over the output's rows counting what `sql` returns (e.g. `count(*) FILTER (WHERE id IS NULL)`):
       * the checks that have one are counted together in one scan of the output
       */
      readonly count?: string
    }
  | { readonly _tag: "Effect"; readonly run: (ctx: CheckContext) => Effect.Effect<CheckOutcome, unknown, Engine> }

/** A data-quality check, attached to an asset with its `checks` option. */
export interface CheckDef {
  readonly _tag: "Check"
  readonly name: string
  readonly description: string
  readonly severity: Severity
  /** a failure keeps the new output unpublished and abandons what reads it */
  readonly blocking: boolean
  /** inputs an Effect check reads (SQL checks: found in their SQL), by asset or by name in `deps` */
  readonly reads: ReadonlyArray<AnyAssetDef | string>
  /** side outputs an Effect check reads (SQL checks: found in their SQL) */
  readonly readsSideOutputs: ReadonlyArray<string>
  /**
   * changes whenever what the check decides may change: a new version makes its recorded results stale (never the
   * asset). SQL checks: a hash of their SQL; Effect checks: the version given.
   */
  readonly version: string
  readonly body: CheckBody
}

/** A check as its asset holds it: validated against the asset, with the inputs it reads resolved to their names. */
export interface AttachedCheck extends CheckDef {
  readonly inputs: ReadonlyArray<string>
}

interface CommonOptions {
  readonly name: string
  readonly description?: string
  /** default `error` */
  readonly severity?: Severity
  /** default: true for errors, false for warnings */
  readonly blocking?: boolean
}

/** A check the framework cannot accept (a bad name, an input its asset does not have), reported when the configuration loads. */
export class CheckDefinitionError extends Data.TaggedError("CheckDefinitionError")<{ readonly message: string }> {}

export const CHECK_NAME = /^[A-Za-z0-9_.-]{1,120}$/

/** A check by SQL returning the failing rows: it passes when the query returns none. */
export function defineCheck(
  options: CommonOptions & { readonly sql: (ctx: CheckSqlContext) => string; readonly count?: string; readonly version?: string }
): CheckDef
/** A check by a condition on the output's rows: the rows where it holds fail (e.g. `where: "amount < 0"`). */
export function defineCheck(options: CommonOptions & { readonly where: string; readonly version?: string }): CheckDef
/** A check by an Effect answering pass or fail with metadata; its `version` is required (as an Effect compute's codeVersion). */
export function defineCheck(
  options: CommonOptions & {
    readonly run: (ctx: CheckContext) => Effect.Effect<CheckOutcome, unknown, Engine>
    readonly version: string
    readonly reads?: ReadonlyArray<AnyAssetDef | string>
    readonly sideOutputs?: ReadonlyArray<string>
  }
): CheckDef
export function defineCheck(options: any): CheckDef {
  if (typeof options.name !== "string" || !CHECK_NAME.test(options.name)) {
    throw new CheckDefinitionError({ message: `a check's name is 1 to 120 letters, digits, '_', '.' or '-': '${options.name}' is not` })
  }
  const severity: Severity = options.severity ?? "error"
  const body: CheckBody =
    options.where !== undefined
      ? { _tag: "Sql", sql: ({ output }) => `SELECT * FROM ${output} WHERE ${options.where}`, count: `count(*) FILTER (WHERE ${options.where})` }
      : options.sql !== undefined
        ? { _tag: "Sql", sql: options.sql, ...(options.count !== undefined ? { count: options.count } : {}) }
        : { _tag: "Effect", run: options.run }
  if (body._tag === "Effect" && (typeof options.version !== "string" || options.version.trim() === "")) {
    throw new CheckDefinitionError({
      message: `check '${options.name}' runs an Effect, so it needs a version: give it one (e.g. version: "1") and change it whenever what it decides changes`
    })
  }
  const blocking: boolean = options.blocking ?? severity === "error"
  const definition = options.version ?? codeVersionOf(renderedSql(body))
  return {
    _tag: "Check",
    name: options.name,
    description: options.description ?? "",
    severity,
    blocking,
    reads: options.reads ?? [],
    readsSideOutputs: options.sideOutputs ?? [],
    // what it decides depends on its severity too: a warning that became an error is not the same result
    version: shortHash(definition, severity, String(blocking)),
    body
  }
}

/** The SQL with placeholder relations, so a check's version follows the SQL a user wrote (as an asset's does). */
const renderedSql = (body: CheckBody): string => (body._tag === "Sql" ? `${body.sql(placeholderContext().ctx)}\n${body.count ?? ""}` : "")

/** A context whose relations are placeholders, recording which inputs and side outputs the SQL names. */
export const placeholderContext = () => {
  const inputs = new Set<string>()
  const assets = new Set<string>()
  const sides = new Set<string>()
  const named = (set: Set<string>, prefix: string) =>
    new Proxy({}, { get: (_, name) => (typeof name === "string" ? (set.add(name), `{{${prefix}${name}}}`) : undefined) }) as Record<string, string>
  const ctx: CheckSqlContext = {
    output: "{{output}}",
    sideOutputs: named(sides, "side:"),
    inputs: named(inputs, "input:"),
    input: (asset) => {
      const key = typeof asset === "string" ? asset : asset.key
      assets.add(key)
      return `{{asset:${key}}}`
    },
    partition: "{{partition}}" as PartitionKey,
    window: { start: "{{start}}", end: "{{end}}" }
  }
  return { ctx, inputs, assets, sides }
}
