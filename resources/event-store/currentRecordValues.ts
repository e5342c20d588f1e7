import { Effect } from "effect"
import type { AssetKey } from "../../runtime/asset/AssetKey.js"
import type { CurrentRecord } from "../../runtime/events/EventStore.js"
import type { InputRecord, Materialization } from "../../runtime/events/records.js"
import type { PartitionKey } from "../../runtime/partitions/PartitionKey.js"
import { checked, RowShapeError } from "./fastRows.js"

/** the columns `recordsFrom` reads, in order */
export const currentRecordColumns =
  "m.id, m.run_id, m.asset_key, m.partition_key, m.code_version, m.data_version, m.row_count, m.metadata, m.started_at, m.ended_at, m.inputs_digest"

const noInputs: ReadonlyArray<InputRecord> = Object.freeze([])
const table = "current records"

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

const partitionOf = (key: string) => (key === "" ? null : (key as PartitionKey))

/** Current records without their inputs, from rows of `currentRecordColumns` given as arrays of values. */
export const recordsFrom = (rows: ReadonlyArray<ReadonlyArray<unknown>>) =>
  Effect.try({
    try: (): ReadonlyArray<CurrentRecord> =>
      rows.map((row, i) => {
        const metadata = checked(table, i, "metadata", "string", row[7])
        if (metadata.length === 0 || metadata[0] !== "{") throw new RowShapeError({ message: `${table} row ${i}: column metadata is not a JSON object` })
        return {
          materialization: new UnparsedRecord(
            checked(table, i, "id", "string", row[0]),
            checked(table, i, "run_id", "string", row[1]),
            checked(table, i, "asset_key", "string", row[2]) as AssetKey,
            partitionOf(checked(table, i, "partition_key", "string", row[3])),
            checked(table, i, "code_version", "string", row[4]),
            checked(table, i, "data_version", "string", row[5]),
            checked(table, i, "row_count", "count", row[6]),
            metadata,
            checked(table, i, "started_at", "string", row[8]),
            checked(table, i, "ended_at", "string", row[9])
          ),
          inputsDigest: checked(table, i, "inputs_digest", "nullableString", row[10])
        }
      }),
    catch: (e) => (e instanceof RowShapeError ? e : new RowShapeError({ message: `${table}: ${String(e)}` }))
  })
