import { Schema } from "effect"
import type { PartitionsDefinition } from "../partitions/PartitionsDefinition.js"
import { timeWindow } from "../partitions/mappings/timeWindow.js"
import { Column, columnsOf } from "./columns.js"
import type { Dependency, SideOutput, SqlContext } from "./Asset.js"

/**
 * How an asset's output is kept. `table` (the default): its rows are written to the lake. `view`: a view created
 * in the engine's catalog (DuckDB's `_catalog.duckdb` beside the lake's outputs, Athena's Glue database), which
 * holds no rows of its own and answers from the inputs it reads whenever it is queried.
 */
export type Materialization = "table" | "view"

/**
 * An asset upserted by key (`incremental: { mode: "merge", key: ["movie_id"] }`): its SQL gives a partition's
 * delivery, and the partition's output is the previous partition's output with the delivery merged in: rows with a
 * new key inserted, rows with a known key replaced by the delivered one, every other row kept as it was. A key is
 * deleted only by a delivered row whose `deleteFlag` column is true (the column is not part of the output).
 */
export interface MergeIncremental {
  readonly mode: "merge"
  readonly key: ReadonlyArray<string>
  readonly deleteFlag?: string
}

/** The input name under which a merge asset reads its previous partition's output. */
export const PREVIOUS = "previous"

/** What a merge records with each partition: how many keys the delivery inserted, updated, left as they were, deleted. */
export const MergeCounts = Schema.Struct({
  inserted: Column.bigint,
  updated: Column.bigint,
  unchanged: Column.bigint,
  deleted: Column.bigint,
  kept: Column.bigint
})

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`

/** The definition problems of a view or a merge asset (empty when there are none). */
export const materializationProblems = (options: {
  readonly key: string
  readonly materialization?: Materialization
  readonly incremental?: MergeIncremental
  readonly sql?: unknown
  readonly partitions?: PartitionsDefinition
  readonly sideOutputs?: Readonly<Record<string, SideOutput>>
  readonly checks?: ReadonlyArray<unknown>
  readonly deps?: Readonly<Record<string, unknown>>
  readonly schema: Schema.Schema.Any
}): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const m = options.materialization ?? "table"
  if (m !== "table" && m !== "view") problems.push(`materialization '${String(m)}' is not one of table, view`)
  if (m === "view") {
    if (options.sql === undefined) problems.push("a view is defined by SQL: give it `sql`, not `compute`")
    if (options.partitions !== undefined) problems.push("a view is not partitioned: it reads whatever its inputs hold")
    if (Object.keys(options.sideOutputs ?? {}).length > 0) problems.push("a view has no side outputs")
    if ((options.checks ?? []).length > 0) problems.push("a view holds no rows of its own to check: check the assets it reads")
    if (options.incremental !== undefined) problems.push("a view cannot be incremental")
  }
  const inc = options.incremental
  if (inc !== undefined) {
    if (inc.mode !== "merge") problems.push(`incremental mode '${String(inc.mode)}' is not one of merge`)
    if (options.sql === undefined) problems.push("a merge asset is defined by SQL giving each delivery: give it `sql`")
    if (options.partitions?._tag !== "TimeWindow") {
      problems.push("a merge asset is partitioned by time (the delivery's arrival): each partition merges its delivery into the previous one's output")
    }
    if (options.deps !== undefined && PREVIOUS in options.deps) problems.push(`a merge asset reads its previous partition as '${PREVIOUS}': give your input another name`)
    const columns = new Set(columnsOf(options.schema).map((c) => c.name))
    if (inc.key.length === 0) problems.push("a merge asset needs a key: one column or more")
    for (const k of inc.key) if (!columns.has(k)) problems.push(`merge key '${k}' is not a column of its schema`)
    for (const c of columnsOf(options.schema)) if (inc.key.includes(c.name) && c.nullable) problems.push(`merge key '${c.name}' is nullable: a key must not be NULL`)
    if (inc.deleteFlag !== undefined && columns.has(inc.deleteFlag)) problems.push(`delete flag '${inc.deleteFlag}' is a column of the output: it is read from the delivery only`)
  }
  return problems.map((p) => `asset '${options.key}': ${p}`)
}

/**
 * A merge asset as an ordinary one: its previous partition as an input (a self-dependency, so partitions run in
 * order), its SQL the merge of the delivery into it, and the counts of what the merge did as a side output kept
 * with the materialization (`merge`).
 */
export const mergeDefinition = <O extends { readonly sql: (ctx: SqlContext) => string; readonly schema: Schema.Schema.Any }>(
  options: O & { readonly incremental: MergeIncremental; readonly deps?: Readonly<Record<string, unknown>>; readonly sideOutputs?: Readonly<Record<string, SideOutput>> },
  self: (mapping: ReturnType<typeof timeWindow>) => Dependency
) => {
  const { key, deleteFlag } = options.incremental
  const columns = columnsOf(options.schema).map((c) => c.name)
  const on = key.map((k) => `p.${ident(k)} = d.${ident(k)}`).join(" AND ")
  const deleting = deleteFlag === undefined ? "false" : `coalesce(d.${ident(deleteFlag)}, false)`
  const delivery = (ctx: SqlContext) => `WITH delivery AS (${options.sql(ctx)})`
  const merged = (ctx: SqlContext) => `${delivery(ctx)}
SELECT ${columns.map((c) => `p.${ident(c)}`).join(", ")} FROM ${ctx.inputs[PREVIOUS]} AS p
WHERE NOT EXISTS (SELECT 1 FROM delivery AS d WHERE ${on})
UNION ALL
SELECT ${columns.map((c) => `d.${ident(c)}`).join(", ")} FROM delivery AS d WHERE NOT ${deleting}`
  const changed = columns.filter((c) => !key.includes(c)).map((c) => `d.${ident(c)} IS DISTINCT FROM p.${ident(c)}`).join(" OR ") || "false"
  const counts = (ctx: SqlContext) => `${delivery(ctx)}
SELECT CAST(count(*) FILTER (WHERE NOT found AND NOT deleting) AS BIGINT) AS inserted,
       CAST(count(*) FILTER (WHERE found AND NOT deleting AND changed) AS BIGINT) AS updated,
       CAST(count(*) FILTER (WHERE found AND NOT deleting AND NOT changed) AS BIGINT) AS unchanged,
       CAST(count(*) FILTER (WHERE found AND deleting) AS BIGINT) AS deleted,
       CAST((SELECT count(*) FROM ${ctx.inputs[PREVIOUS]} AS p WHERE NOT EXISTS (SELECT 1 FROM delivery AS d WHERE ${on})) AS BIGINT) AS kept
FROM (SELECT p.${ident(key[0]!)} IS NOT NULL AS found, ${deleting} AS deleting, (${changed}) AS changed
      FROM delivery AS d LEFT JOIN ${ctx.inputs[PREVIOUS]} AS p ON ${on}) AS m`
  return {
    ...options,
    deps: { ...(options.deps ?? {}), [PREVIOUS]: self(timeWindow({ startOffset: -1, endOffset: -1 })) },
    sql: merged,
    sideOutputs: { ...(options.sideOutputs ?? {}), merge: { schema: MergeCounts, sql: counts, recordRows: true } }
  }
}
