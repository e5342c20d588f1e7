import { Effect } from "effect"
import type { AssetKey } from "../../runtime/asset/AssetKey.js"
import type { CurrentRecord } from "../../runtime/events/EventStore.js"
import type { InputRecord, Materialization } from "../../runtime/events/records.js"
import type { PartitionKey } from "../../runtime/partitions/PartitionKey.js"
import { checked, RowShapeError } from "./fastRows.js"

/**
 * The reads the API makes for each request (a history page, records by id, a level of a lineage walk) take their
 * rows as arrays of values (`sql...values`) in the order of these columns, and build each record from them in one
 * pass with the checks of fastRows.ts: the driver builds no object per row and no row is copied on the way
 * (about a third of such a read's time). Status reads the current records it computes again the same way
 * (`recordsFrom`, hundreds of thousands of them).
 */
export const materializationValueColumns =
  "m.id, m.run_id, m.asset_key, m.partition_key, m.code_version, m.data_version, m.row_count, m.metadata, m.started_at, m.ended_at"
/** what status reads of the current records it computes again: a record's columns and the digest of what it read */
export const currentRecordColumns = `${materializationValueColumns}, m.inputs_digest`
/** what a materialization read (in the rows `add` takes below, after the id of the materialization that read it) */
export const inputValueColumns = "i.input_asset_key, i.input_partition_key, i.data_version, i.producer_id"
/** how many columns `materializationValueColumns` names */
export const MATERIALIZATION_WIDTH = 10
/** a record's columns and, after them, what it read as it was written with it (`inputsJson`) */
export const materializationColumnsWithInputs = `${materializationValueColumns}, m.inputs_json`

/** above this length a record's inputs are not copied into its row: they are read from materialization_inputs */
const MAX_INPUTS_JSON = 1_000_000

/**
 * What a record read, as the text its row carries beside the rows of materialization_inputs: a JSON array of
 * `[input_asset_key, input_partition_key, data_version, producer_id]`, the values of `inputValueColumns`. A history
 * page or a lineage level then reads each record's row alone, not an index search and a row per input (about two
 * fifths of a cold history page's time in SQLite, bench/api.ts). Null when too long for the column.
 */
export const inputsJson = (inputs: ReadonlyArray<InputRecord>): string | null => {
  const text = JSON.stringify(inputs.map((i) => [i.asset, i.partition ?? "", i.dataVersion, i.producerId]))
  return text.length > MAX_INPUTS_JSON ? null : text
}

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

/** row `index`'s inputs from the text its row carries (`inputsJson`) */
const inputsFromJson = (table: string, index: number, text: string): Array<InputRecord> => {
  let rows: unknown
  try {
    rows = JSON.parse(text)
  } catch {
    throw new RowShapeError({ message: `${table} row ${index}: column inputs_json is not JSON` })
  }
  if (!Array.isArray(rows)) throw new RowShapeError({ message: `${table} row ${index}: column inputs_json is not a list` })
  return rows.map((input: unknown) => {
    if (!Array.isArray(input)) throw new RowShapeError({ message: `${table} row ${index}: column inputs_json holds an input that is not a list` })
    return inputAt(`${table} inputs_json`, input, index, 0)
  })
}

/**
 * The materializations of `rows` (their columns from `at` on, then inputs_json), in order. A row that carries its
 * inputs has them; the others wait for theirs: `missing` lists their ids, `add` takes rows of
 * `materialization_id, ${inputValueColumns}`. A materialization listed twice is there twice. Throws a
 * RowShapeError on a row of another shape (the reads run it inside one Effect.try: materializationReads.ts).
 */
export const materializationsFrom = (table: string, rows: ReadonlyArray<Values>, at = 0) => {
  const inputsById = new Map<string, Array<InputRecord>>()
  const missing: Array<string> = []
  const records = rows.map((row, index) => {
    const id = checked(table, index, "id", "string", row[at])
    let inputs = inputsById.get(id)
    if (inputs === undefined) {
      const carried = checked(table, index, "inputs_json", "nullableString", row[at + MATERIALIZATION_WIDTH])
      if (carried === null) missing.push(id)
      inputsById.set(id, (inputs = carried === null ? [] : inputsFromJson(table, index, carried)))
    }
    return materializationAt(table, row, index, at, inputs)
  })
  return {
    missing,
    add: (inputRows: ReadonlyArray<Values>) =>
      inputRows.forEach((row, index) => {
        const of = checked("materialization_inputs", index, "materialization_id", "string", row[0])
        inputsById.get(of)?.push(inputAt("materialization_inputs", row, index, 1))
      }),
    records: records as ReadonlyArray<Materialization>
  }
}

const noInputs: ReadonlyArray<InputRecord> = Object.freeze([])
const currentTable = "current records"

/**
 * A current record read without its inputs, whose metadata is parsed when first read. Status reads every current
 * record of what it computes again (a million at a million partitions) and looks into the metadata of few of them
 * (side outputs); parsing each one's made about a fifth of the objects such a status kept alive.
 */
class UnparsedRecord implements Materialization {
  private parsed: Record<string, unknown> | undefined
  readonly inputs = noInputs
  constructor(
    readonly id: string,
    readonly runId: string,
    readonly asset: AssetKey,
    readonly partition: PartitionKey | null,
    readonly codeVersion: string,
    readonly dataVersion: string,
    readonly rowCount: number,
    private readonly metadataText: string,
    readonly startedAt: string,
    readonly endedAt: string
  ) {}

  get metadata(): Record<string, unknown> {
    if (this.parsed === undefined) {
      const value: unknown = JSON.parse(this.metadataText)
      // what the store wrote is an object; anything else reads as no metadata rather than failing a status
      this.parsed = typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
    }
    return this.parsed
  }

  /** as the record it stands for, metadata included (a getter is not an own property) */
  toJSON(): Materialization {
    const { id, runId, asset, partition, codeVersion, dataVersion, rowCount, metadata, startedAt, endedAt, inputs } = this
    return { id, runId, asset, partition, codeVersion, dataVersion, rowCount, metadata, startedAt, endedAt, inputs }
  }
}

/**
 * Current records without their inputs, from rows of `currentRecordColumns`, each with the digest of what it read:
 * what status reads of the assets it computes again (runtime/status/loadStatus.ts). The same checks as
 * `materializationAt`; the metadata is only checked to be an object's text until it is read.
 */
export const recordsFrom = (rows: ReadonlyArray<ReadonlyArray<unknown>>) =>
  Effect.try({
    try: (): ReadonlyArray<CurrentRecord> =>
      rows.map((row, i) => {
        const metadata = checked(currentTable, i, "metadata", "string", row[7])
        if (metadata.length === 0 || metadata[0] !== "{") throw new RowShapeError({ message: `${currentTable} row ${i}: column metadata is not a JSON object` })
        return {
          materialization: new UnparsedRecord(
            checked(currentTable, i, "id", "string", row[0]),
            checked(currentTable, i, "run_id", "string", row[1]),
            checked(currentTable, i, "asset_key", "string", row[2]) as AssetKey,
            partitionOf(checked(currentTable, i, "partition_key", "string", row[3])),
            checked(currentTable, i, "code_version", "string", row[4]),
            checked(currentTable, i, "data_version", "string", row[5]),
            checked(currentTable, i, "row_count", "count", row[6]),
            metadata,
            checked(currentTable, i, "started_at", "string", row[8]),
            checked(currentTable, i, "ended_at", "string", row[9])
          ),
          inputsDigest: checked(currentTable, i, "inputs_digest", "nullableString", row[MATERIALIZATION_WIDTH])
        }
      }),
    catch: (e) => (e instanceof RowShapeError ? e : new RowShapeError({ message: `${currentTable}: ${String(e)}` }))
  })
