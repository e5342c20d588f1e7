import { Data, Effect } from "effect"

/** A row the store returned that does not have the columns' types: the store is not one this code wrote. */
export class RowShapeError extends Data.TaggedError("RowShapeError")<{ readonly message: string }> {}

export type Kind = "string" | "nullableString" | "count" | "nullableCount"
type Value<K extends Kind> = K extends "string" ? string : K extends "nullableString" ? string | null : K extends "count" ? number : number | null

/** Row `index`'s value of column `name` checked against its kind (a count as a number); a RowShapeError otherwise. */
export const checked = <K extends Kind>(table: string, index: number, name: string, kind: K, given: unknown): Value<K> => {
  let v = given
  if (v === null || v === undefined) {
    if (kind === "nullableString" || kind === "nullableCount") return null as Value<K>
    throw new RowShapeError({ message: `${table} row ${index}: column ${name} is missing` })
  }
  if (kind === "count" || kind === "nullableCount") {
    if (typeof v === "string" && v.trim() !== "") v = Number(v)
    if (typeof v === "bigint") v = Number(v)
    if (typeof v !== "number" || Number.isNaN(v)) throw new RowShapeError({ message: `${table} row ${index}: column ${name} is not a number (${String(given)})` })
  } else if (typeof v !== "string") {
    throw new RowShapeError({ message: `${table} row ${index}: column ${name} is not text (${typeof v})` })
  }
  return v as Value<K>
}

/**
 * A row decoder for the reads that return hundreds of thousands of rows (status of every partition): the same
 * checks as the rows' Schema (each column's type; counts as numbers or numeric strings, as MySQL gives BIGINT),
 * without building a parse tree per row, which cost about as much as the query itself.
 */
export const rowDecoder = <F extends Record<string, Kind>>(table: string, fields: F) => {
  const entries = Object.entries(fields) as Array<[string, Kind]>
  const decodeOne = (row: Record<string, unknown>, index: number): { [K in keyof F]: Value<F[K]> } => {
    const out: Record<string, unknown> = {}
    for (const [name, kind] of entries) out[name] = checked(table, index, name, kind, row[name])
    return out as { [K in keyof F]: Value<F[K]> }
  }
  return (rows: ReadonlyArray<unknown>) =>
    Effect.try({
      try: () => rows.map((r, i) => decodeOne(r as Record<string, unknown>, i)),
      catch: (e) => (e instanceof RowShapeError ? e : new RowShapeError({ message: `${table}: ${String(e)}` }))
    })
}
