import type { AssetKey } from "../../runtime/asset/AssetKey.js"
import type { InputRecord, Materialization } from "../../runtime/events/records.js"
import type { PartitionKey } from "../../runtime/partitions/PartitionKey.js"
import { checked } from "./fastRows.js"

/**
 * The reads the API makes for each request (a history page, records by id, a level of a lineage walk) take their
 * rows as arrays of values (`sql...values`) in the order of these columns, and build each record from them in one
 * pass with the checks of fastRows.ts: the driver builds no object per row and no row is copied on the way
 * (about a third of such a read's time).
 */
export const materializationValueColumns =
  "m.id, m.run_id, m.asset_key, m.partition_key, m.code_version, m.data_version, m.row_count, m.metadata, m.started_at, m.ended_at"
/** what a materialization read (in the rows `add` takes below, after the id of the materialization that read it) */
export const inputValueColumns = "i.input_asset_key, i.input_partition_key, i.data_version, i.producer_id"
const MATERIALIZATION_WIDTH = 10

type Values = ReadonlyArray<unknown>

/** a record being built: its inputs are added as their rows come */
type Building = Omit<Materialization, "inputs"> & { inputs: Array<InputRecord> }

const partitionOf = (key: string) => (key === "" ? null : (key as PartitionKey))

/** row `index`'s materialization, from its column `at` on; same property order as the rows' Schema */
const materializationAt = (table: string, row: Values, index: number, at: number, inputs: Array<InputRecord>): Building => ({
  id: checked(table, index, "id", "string", row[at]),
  runId: checked(table, index, "run_id", "string", row[at + 1]),
  asset: checked(table, index, "asset_key", "string", row[at + 2]) as AssetKey,
  partition: partitionOf(checked(table, index, "partition_key", "string", row[at + 3])),
  codeVersion: checked(table, index, "code_version", "string", row[at + 4]),
  dataVersion: checked(table, index, "data_version", "string", row[at + 5]),
  rowCount: checked(table, index, "row_count", "count", row[at + 6]),
  metadata: JSON.parse(checked(table, index, "metadata", "string", row[at + 7])) as Record<string, unknown>,
  startedAt: checked(table, index, "started_at", "string", row[at + 8]),
  endedAt: checked(table, index, "ended_at", "string", row[at + 9]),
  inputs
})

/** row `index`'s input, from its column `at` on */
const inputAt = (table: string, row: Values, index: number, at: number): InputRecord => ({
  asset: checked(table, index, "input_asset_key", "string", row[at]) as AssetKey,
  partition: partitionOf(checked(table, index, "input_partition_key", "string", row[at + 1])),
  dataVersion: checked(table, index, "data_version", "string", row[at + 2]),
  producerId: checked(table, index, "producer_id", "nullableString", row[at + 3])
})

/**
 * The materializations of `rows` (their columns from `at` on), in order, waiting for their inputs: `add` takes
 * rows of `materialization_id, ${inputValueColumns}`. A materialization listed twice is there twice. Throws a
 * RowShapeError on a row of another shape (the reads run it inside one Effect.try: materializationReads.ts).
 */
export const materializationsFrom = (table: string, rows: ReadonlyArray<Values>, at = 0) => {
  const inputsById = new Map<string, Array<InputRecord>>()
  const records = rows.map((row, index) => {
    const id = checked(table, index, "id", "string", row[at])
    let inputs = inputsById.get(id)
    if (inputs === undefined) inputsById.set(id, (inputs = []))
    return materializationAt(table, row, index, at, inputs)
  })
  return {
    ids: [...inputsById.keys()],
    add: (inputRows: ReadonlyArray<Values>) =>
      inputRows.forEach((row, index) => {
        const of = checked("materialization_inputs", index, "materialization_id", "string", row[0])
        inputsById.get(of)?.push(inputAt("materialization_inputs", row, index, 1))
      }),
    records: records as ReadonlyArray<Materialization>
  }
}

/**
 * Materializations each joined to its inputs (`${materializationValueColumns}, ${inputValueColumns}`, the input's
 * NULL when it read none), in the order they first appear. Throws a RowShapeError like `materializationsFrom`.
 */
export const materializationsJoined = (rows: ReadonlyArray<Values>): ReadonlyArray<Materialization> => {
  const table = "materializations with inputs"
  const byId = new Map<string, Building>()
  rows.forEach((row, index) => {
    const id = checked(table, index, "id", "string", row[0])
    let record = byId.get(id)
    if (record === undefined) byId.set(id, (record = materializationAt(table, row, index, 0, [])))
    if (row[MATERIALIZATION_WIDTH] !== null) record.inputs.push(inputAt(table, row, index, MATERIALIZATION_WIDTH))
  })
  return [...byId.values()]
}
