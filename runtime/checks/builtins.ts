import { Duration, Effect } from "effect"
import type { AnyAssetDef } from "../asset/Asset.js"
import { shortHash } from "../asset/codeVersion.js"
import { Engine } from "../engine/Engine.js"
import { defineCheck, type CheckDef, type Severity } from "./Check.js"

/** What every built-in takes beside its own parameters. */
export interface CheckOptions {
  /** default: from the check and its columns, e.g. `not_null_film_id` */
  readonly name?: string
  readonly description?: string
  /** default `error` */
  readonly severity?: Severity
  /** default: true for errors, false for warnings */
  readonly blocking?: boolean
}

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`
const literal = (v: string | number | boolean) => (typeof v === "string" ? `'${v.replaceAll("'", "''")}'` : String(v))
const list = (columns: string | ReadonlyArray<string>): ReadonlyArray<string> => (typeof columns === "string" ? [columns] : columns)
const common = (o: CheckOptions, name: string, description: string) => ({
  name: o.name ?? name,
  description: o.description ?? description,
  ...(o.severity !== undefined ? { severity: o.severity } : {}),
  ...(o.blocking !== undefined ? { blocking: o.blocking } : {})
})
const versionOf = (kind: string, params: unknown) => shortHash(kind, JSON.stringify(params))

/** No NULL in any of the columns. */
export const notNull = (columns: string | ReadonlyArray<string>, options: CheckOptions = {}): CheckDef => {
  const cols = list(columns)
  return defineCheck({
    ...common(options, `not_null_${cols.join("_")}`, `no NULL in ${cols.join(", ")}`),
    where: cols.map((c) => `${ident(c)} IS NULL`).join(" OR ")
  })
}

/**
 * No two rows share the values of the columns (rows with a NULL among them are left to notNull). The failing rows
 * are those that repeat a value (each but the first of its value).
 */
export const unique = (columns: string | ReadonlyArray<string>, options: CheckOptions = {}): CheckDef => {
  const cols = list(columns).map(ident).join(", ")
  const present = list(columns).map((c) => `${ident(c)} IS NOT NULL`).join(" AND ")
  return defineCheck({
    ...common(options, `unique_${list(columns).join("_")}`, `one row per ${list(columns).join(", ")}`),
    sql: ({ output }) => `SELECT ${cols}, occurrence FROM (
        SELECT ${cols}, row_number() OVER (PARTITION BY ${cols}) AS occurrence FROM ${output} WHERE ${present}
      ) AS numbered WHERE occurrence > 1`,
    // one column counts in the shared scan; several would need a distinct over a row, which engines spell differently
    ...(list(columns).length === 1 ? { count: `count(${cols}) - count(DISTINCT ${cols})` } : {})
  })
}

/** Every non-NULL value of the column is one of `values`. */
export const acceptedValues = (column: string, values: ReadonlyArray<string | number | boolean>, options: CheckOptions = {}): CheckDef =>
  defineCheck({
    ...common(options, `accepted_values_${column}`, `${column} is one of ${values.join(", ")}`),
    where: `${ident(column)} IS NOT NULL AND ${ident(column)} NOT IN (${values.map(literal).join(", ")})`
  })

/**
 * Every non-NULL value of `column` exists in `toColumn` (default: the same name) of another asset, one of this
 * asset's inputs, read at the version the materialization read.
 */
export const relationships = (
  column: string,
  to: AnyAssetDef | string,
  options: CheckOptions & { readonly toColumn?: string } = {}
): CheckDef => {
  const target = typeof to === "string" ? to : to.key
  const toColumn = options.toColumn ?? column
  return defineCheck({
    ...common(options, `${column}_in_${target}`, `every ${column} exists in ${target}.${toColumn}`),
    sql: ({ output, input }) => `SELECT o.* FROM ${output} AS o WHERE o.${ident(column)} IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM ${input(to)} AS r WHERE r.${ident(toColumn)} = o.${ident(column)})`
  })
}

/**
 * The output's row count within bounds: absolute (`{ min: 2 }`), or as a ratio of an earlier output's
 * (`{ min: 0.5, relativeTo: "previousPartition" }`: not below half of last month's). With nothing earlier to
 * compare with, a relative check passes and says so.
 */
export const rowCount = (
  bounds: { readonly min?: number; readonly max?: number; readonly relativeTo?: "previousPartition" | "previousMaterialization" },
  options: CheckOptions = {}
): CheckDef => {
  const { min, max, relativeTo } = bounds
  const range = [min !== undefined ? `at least ${min}` : "", max !== undefined ? `at most ${max}` : ""].filter((s) => s !== "").join(" and ")
  const name = relativeTo === undefined ? "row_count" : relativeTo === "previousPartition" ? "row_count_vs_previous_partition" : "row_count_vs_previous_materialization"
  const against = relativeTo === "previousPartition" ? "the previous partition's" : "the previous materialization's"
  return defineCheck({
    ...common(options, name, relativeTo === undefined ? `rows: ${range}` : `rows: ${range} times ${against}`),
    version: versionOf("rowCount", bounds),
    run: (ctx) =>
      Effect.gen(function* () {
        const within = (x: number) => (min === undefined || x >= min) && (max === undefined || x <= max)
        if (relativeTo === undefined) {
          return { passed: within(ctx.rowCount), message: `${ctx.rowCount} rows (${range})`, metadata: { rows: ctx.rowCount, ...bounds } }
        }
        const previous = yield* ctx.previous
        const earlier = relativeTo === "previousPartition" ? previous.partition : previous.materialization
        if (earlier === undefined || earlier.rowCount === 0) {
          return { passed: true, message: `${ctx.rowCount} rows; ${against.replace("'s", "")} has ${earlier === undefined ? "none" : "no rows"} to compare with`, metadata: { rows: ctx.rowCount } }
        }
        const ratio = ctx.rowCount / earlier.rowCount
        const where = earlier.partition === null ? "" : ` of ${earlier.partition}`
        return {
          passed: within(ratio),
          message: `${ctx.rowCount} rows, ${ratio.toFixed(2)} times the ${earlier.rowCount}${where} (${range})`,
          metadata: { rows: ctx.rowCount, previousRows: earlier.rowCount, previousPartition: earlier.partition, previousMaterialization: earlier.id, ratio }
        }
      })
  })
}

/** A timestamp as an engine prints it ("2023-03-31 23:58:00", maybe with fractions or an offset), as epoch ms. */
const instant = (text: string): number => {
  const iso = text.trim().replace(" ", "T")
  const zoned = /(Z|[+-]\d{2}(:?\d{2})?)$/.test(iso) ? iso.replace(/([+-]\d{2})$/, "$1:00") : `${iso}Z`
  return Date.parse(zoned)
}

/**
 * The newest value of a timestamp column is at most `maxAge` old: measured from the end of the partition's time
 * window (so a past month is judged as of its end), or from now for an unpartitioned asset or `from: "now"`.
 */
export const freshness = (
  column: string,
  bounds: { readonly maxAge: Duration.DurationInput; readonly from?: "now" | "partitionEnd" },
  options: CheckOptions = {}
): CheckDef => {
  const maxAge = Duration.decode(bounds.maxAge)
  return defineCheck({
    ...common(options, `freshness_${column}`, `the newest ${column} is at most ${Duration.format(maxAge)} old`),
    version: versionOf("freshness", { column, maxAge: Duration.toMillis(maxAge), from: bounds.from ?? "partitionEnd" }),
    run: (ctx) =>
      Effect.gen(function* () {
        const engine = yield* Engine
        const [row] = yield* engine.query(`SELECT CAST(max(${ident(column)}) AS VARCHAR) AS latest FROM ${ctx.output}`)
        const latest = row?.["latest"]
        const fromEnd = bounds.from !== "now" && ctx.window !== undefined
        const reference = fromEnd ? Date.parse(ctx.window!.end) : Date.now()
        const since = fromEnd ? `the end of ${ctx.partition}` : "now"
        if (typeof latest !== "string") return { passed: false, message: `no ${column} at all: the output has no rows with one` }
        const age = reference - instant(latest)
        return {
          passed: age <= Duration.toMillis(maxAge),
          message: `the newest ${column} is ${latest}, ${Duration.format(Duration.millis(Math.max(0, age)))} before ${since} (at most ${Duration.format(maxAge)})`,
          metadata: { latest, ageMs: age, maxAgeMs: Duration.toMillis(maxAge) }
        }
      })
  })
}

/** "1pct", "0.5pct": a fraction in a check's name */
const percent = (f: number) => `${Number((f * 100).toFixed(4))}pct`

/**
 * The rows of a side output of rejected input (default `rejected`) as a fraction of everything the partition took
 * in: at most `max`. What it took in is its rows plus the rejected ones, or, with `of`, the sum of a column of
 * another side output (e.g. the lines an accounting side output counted, when rejected lines and output rows are
 * not counted by the same partition).
 */
export const rejectedFraction = (
  bounds: { readonly max: number; readonly sideOutput?: string; readonly of?: { readonly sideOutput: string; readonly column: string } },
  options: CheckOptions = {}
): CheckDef => {
  const side = bounds.sideOutput ?? "rejected"
  const of = bounds.of
  return defineCheck({
    ...common(options, `${side}_under_${percent(bounds.max)}`, `${side} rows are at most ${percent(bounds.max).replace("pct", "%")} of the input`),
    version: versionOf("rejectedFraction", { max: bounds.max, side, of }),
    sideOutputs: of === undefined ? [side] : [side, of.sideOutput],
    run: (ctx) =>
      Effect.gen(function* () {
        const rejected = ctx.sideOutputRows[side] ?? 0
        let total = rejected + ctx.rowCount
        if (of !== undefined) {
          const engine = yield* Engine
          const [row] = yield* engine.query(`SELECT CAST(coalesce(sum(${ident(of.column)}), 0) AS BIGINT) AS total FROM ${ctx.sideOutputs[of.sideOutput]}`)
          total = Number(row?.["total"] ?? 0)
        }
        const fraction = total === 0 ? 0 : rejected / total
        return {
          passed: fraction <= bounds.max,
          message: `${rejected} of ${total} ${of === undefined ? "rows" : of.column} ${side}: ${(fraction * 100).toFixed(2)}% (at most ${(bounds.max * 100).toFixed(2)}%)`,
          metadata: { rejected, total, fraction, max: bounds.max }
        }
      })
  })
}
