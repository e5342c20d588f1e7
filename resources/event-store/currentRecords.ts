import { Effect } from "effect"
import type { AssetKey } from "../../runtime/asset/AssetKey.js"
import type { CurrentRecord } from "../../runtime/events/EventStore.js"
import type { PartitionKey } from "../../runtime/partitions/PartitionKey.js"
import { RowShapeError } from "./fastRows.js"

const noInputs = Object.freeze([])

const textOf = (r: Record<string, unknown>, name: string, index: number): string => {
  const v = r[name]
  if (typeof v !== "string") throw new RowShapeError({ message: `current records row ${index}: column ${name} is not text (${typeof v})` })
  return v
}

/**
 * Current records straight from the driver's rows to records, checking each column's type as the rows' Schemas
 * would, in one pass: at 600,000 rows (status of a big project computed afresh) every copy of a row shows.
 */
export const recordsFromRows = (rows: ReadonlyArray<unknown>) =>
  Effect.try({
    try: () =>
      rows.map((row, index): CurrentRecord => {
        const r = row as Record<string, unknown>
        const rowCount = typeof r["row_count"] === "number" ? r["row_count"] : Number(r["row_count"])
        if (Number.isNaN(rowCount) || r["row_count"] === null || r["row_count"] === undefined || r["row_count"] === "") {
          throw new RowShapeError({ message: `current records row ${index}: column row_count is not a number (${String(r["row_count"])})` })
        }
        const digest = r["inputs_digest"]
        if (digest !== null && digest !== undefined && typeof digest !== "string") throw new RowShapeError({ message: `current records row ${index}: column inputs_digest is not text` })
        const partition = textOf(r, "partition_key", index)
        return {
          materialization: {
            id: textOf(r, "id", index),
            runId: textOf(r, "run_id", index),
            asset: textOf(r, "asset_key", index) as AssetKey,
            partition: partition === "" ? null : (partition as PartitionKey),
            codeVersion: textOf(r, "code_version", index),
            dataVersion: textOf(r, "data_version", index),
            rowCount,
            metadata: JSON.parse(textOf(r, "metadata", index)) as Record<string, unknown>,
            startedAt: textOf(r, "started_at", index),
            endedAt: textOf(r, "ended_at", index),
            inputs: noInputs
          },
          inputsDigest: digest ?? null
        }
      }),
    catch: (e) => (e instanceof RowShapeError ? e : new RowShapeError({ message: `current records: ${String(e)}` }))
  })
