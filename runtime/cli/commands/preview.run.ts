import { Console, Effect, type Option } from "effect"
import { readPreview } from "../../preview/readPreview.js"
import { PartitionError } from "../../partitions/PartitionsDefinition.js"
import { at } from "../format.js"
import { latestOf, neverMaterialized } from "./partitionArgs.js"

const cell = (v: unknown): string => (v === null ? "" : Array.isArray(v) ? v.join("|") : String(v))

/** Rows as an aligned text table, each column cut to its width (default 40 characters). */
const table = (columns: ReadonlyArray<string>, rows: ReadonlyArray<Record<string, unknown>>, widths: Readonly<Record<string, number>> = {}): string => {
  const cells = rows.map((r) => columns.map((c) => cut(cell(r[c]), widths[c] ?? 40)))
  const sizes = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)))
  const line = (xs: ReadonlyArray<string>) => xs.map((x, i) => x.padEnd(sizes[i]!)).join("  ").trimEnd()
  return [line(columns), line(sizes.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n")
}

const cut = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text)

/** A landed line made safe to print: control characters (NUL, escapes) shown as \xHH, cut to 100 characters. */
const printable = (line: unknown) =>
  line === null ? null : cut(String(line).slice(0, 101).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`), 100)

/** `assets preview`'s handler, loaded when the command runs (preview.ts defines the command). */
export const preview = (args: {
  readonly key: string
  readonly partition: Option.Option<string>
  readonly limit: number
  readonly rejected: boolean
  readonly json: boolean
}) =>
  Effect.gen(function* () {
    const { def, partition: p, latest: m } = yield* latestOf(args.key, args.partition)
    if (def._tag === "Source") return yield* new PartitionError({ message: `${def.key} is a source: it is observed, not materialized; preview an asset that reads it` })
    if (m === undefined) return yield* neverMaterialized(def.key, p)
    const read = yield* readPreview(def, m, Math.max(1, args.limit), args.rejected ? "rejected" : undefined)
    const preview = args.rejected ? { ...read, rows: read.rows.map((r) => ({ ...r, line: printable(r["line"]) })) } : read
    if (args.json) {
      const { specs: _, ...body } = preview
      return yield* Console.log(JSON.stringify(body, null, 2))
    }
    const count = args.rejected ? `${Number(m.metadata["rejected_rows"] ?? 0)} rejected lines` : `${m.rowCount} rows`
    yield* Console.log(`${at(def.key, p)}: materialization ${m.id}, ${count}, first ${preview.rows.length} (${preview.path})\n`)
    const columns = args.rejected ? ["source_file", "line_number", "reason", "line"] : preview.columns.map((c) => c.name)
    yield* Console.log(table(columns, preview.rows, args.rejected ? { source_file: 200, reason: 200, line: 100 } : {}))
  })
