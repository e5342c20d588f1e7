import * as Arrow from "apache-arrow"
import type { SqlType } from "../runtime/asset/columns.js"
import type { PreviewResult } from "../runtime/preview/readPreview.js"

const arrowType = (type: SqlType): Arrow.DataType => {
  switch (type._tag) {
    case "Integer":
      return new Arrow.Int32()
    case "BigInt":
      return new Arrow.Int64()
    case "Double":
      return new Arrow.Float64()
    case "Boolean":
      return new Arrow.Bool()
    case "Text":
      return new Arrow.Utf8()
    case "Enum":
      return new Arrow.Dictionary(new Arrow.Utf8(), new Arrow.Int32())
    case "Date":
      return new Arrow.DateDay()
    case "Timestamp":
      return new Arrow.TimestampMillisecond("UTC")
    case "List":
      return new Arrow.List(new Arrow.Field("item", arrowType(type.item), true))
  }
}

const arrowValue = (type: SqlType, v: unknown): unknown => {
  if (v === null || v === undefined) return null
  switch (type._tag) {
    case "BigInt":
      return BigInt(v as number)
    case "Date":
      return new Date(`${String(v)}T00:00:00Z`)
    case "Timestamp":
      return Date.parse(String(v))
    case "List":
      return (v as Array<unknown>).map((x) => arrowValue(type.item, x))
    default:
      return v
  }
}

/** The rows as an Arrow IPC stream whose column types follow the asset's Schema. */
export const toArrowStream = (preview: PreviewResult): Uint8Array => {
  const fields = preview.specs.map((c) => new Arrow.Field(c.name, arrowType(c.type), c.nullable))
  const children = preview.specs.map((c, i) => {
    const values = preview.rows.map((r) => arrowValue(c.type, r[c.name]))
    return Arrow.vectorFromArray(values, fields[i]!.type).data[0]!
  })
  const schema = new Arrow.Schema(fields)
  const data = Arrow.makeData({ type: new Arrow.Struct(fields), length: preview.rows.length, nullCount: 0, children })
  return Arrow.tableToIPC(new Arrow.Table(schema, new Arrow.RecordBatch(schema, data)) as Arrow.Table, "stream")
}
