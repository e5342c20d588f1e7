import { Data, Effect } from "effect"
import type { AssetDef } from "../asset/Asset.js"
import { columnsOf, type ColumnSpec, type SqlType } from "../asset/columns.js"
import { typeName } from "../asset/ddl.js"
import { Engine } from "../engine/Engine.js"
import { EventStore } from "../events/EventStore.js"
import type { Materialization } from "../events/records.js"
import { viewOf } from "../execute/materializeView.js"

/** The materialization has no output file to read. */
export class PreviewError extends Data.TaggedError("PreviewError")<{ readonly message: string }> {}

export interface PreviewResult {
  readonly asset: string
  readonly partition: string | null
  readonly materializationId: string
  readonly current: boolean
  readonly currentId: string | null
  readonly note: string | null
  readonly path: string
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string; readonly nullable: boolean }>
  readonly rows: ReadonlyArray<Record<string, unknown>>
  readonly limit: number
  /** the asset's column specs, for the Arrow encoding */
  readonly specs: ReadonlyArray<ColumnSpec>
}

/** DuckDB prints timestamps as `2023-03-01 00:08:57`: the Schema says ISO, UTC. */
const isoTimestamp = (v: string): string => {
  const t = v.includes("T") ? v : v.replace(" ", "T")
  return /[zZ]|[+-]\d{2}:?\d{2}$/.test(t) ? new Date(t).toISOString() : new Date(`${t}Z`).toISOString()
}

/** A value as the column's Schema types it. */
const typed = (type: SqlType, v: unknown): unknown => {
  if (v === null || v === undefined) return null
  switch (type._tag) {
    case "Integer":
    case "BigInt":
    case "Double":
      return Number(v)
    case "Boolean":
      return typeof v === "boolean" ? v : v === "true" || v === 1
    case "Timestamp":
      return isoTimestamp(String(v))
    case "Date":
      return String(v).slice(0, 10)
    case "List":
      return Array.isArray(v) ? v.map((x) => typed(type.item, x)) : v
    case "Text":
    case "Enum":
      return String(v)
  }
}

/**
 * The first rows of a materialization's file, or of its side output `output` (in column order, e.g. rejected
 * lines by file and line), read through the Engine port. The lake keeps one file per asset partition: for a
 * superseded materialization the file holds the current one's data, and the result says so.
 */
export const readPreview = Effect.fn("Preview.read")(function* (asset: AssetDef<any, any>, m: Materialization, limit: number, output?: string) {
  const engine = yield* Engine
  const store = yield* EventStore
  const side = output === undefined ? undefined : asset.sideOutputs[output]
  if (output !== undefined && side === undefined) {
    const outputs = Object.keys(asset.sideOutputs)
    const has = outputs.length > 0 ? `its side outputs are ${outputs.join(", ")}` : "it has no side outputs"
    return yield* new PreviewError({ message: `${asset.key} has no ${output} output (${has}): preview the asset that keeps them` })
  }
  // a view has no file: it is read as the SQL it was created with
  const view = output === undefined ? viewOf(m) : undefined
  const recorded = view !== undefined ? `view ${view.name}` : m.metadata[output === undefined ? "path" : `${output}_path`]
  const path = typeof recorded === "string" ? recorded : undefined
  if (path === undefined) {
    return yield* new PreviewError({ message: `materialization ${m.id} records no ${output ?? "output"} path: nothing to preview` })
  }
  const [latest] = yield* store.materializations({ asset: m.asset, partition: m.partition, limit: 1 })
  const current = latest?.id === m.id
  const columns = side === undefined ? asset.columns : columnsOf(side.schema)
  const relation = engine.relation({ format: side === undefined ? asset.format : "parquet", paths: view === undefined ? [path] : [], columns, ...(view !== undefined ? { view } : {}) })
  const order = side === undefined ? "" : ` ORDER BY ${columns.map((_, i) => i + 1).join(", ")}`
  const raw = yield* engine.query(`SELECT * FROM ${relation}${order} LIMIT ${Math.floor(limit)}`)
  const rows = raw.map((r) => Object.fromEntries(columns.map((c) => [c.name, typed(c.type, r[c.name])])))
  return {
    asset: m.asset,
    partition: m.partition,
    materializationId: m.id,
    current,
    currentId: latest?.id ?? null,
    note: current
      ? null
      : `materialization ${m.id} was superseded by ${latest?.id ?? "a newer one"}; the file at ${path} was overwritten, so these rows are the current materialization's, not ${m.id}'s`,
    path,
    columns: columns.map((c) => ({ name: c.name, type: typeName(c.type, "duckdb"), nullable: c.nullable })),
    rows,
    limit,
    specs: columns
  } satisfies PreviewResult
})

