import type { ColumnSpec, SqlType } from "./columns.js"

export type Dialect = "duckdb" | "athena"

/** The SQL type name of a column type in a dialect. */
export const typeName = (type: SqlType, dialect: Dialect): string => {
  switch (type._tag) {
    case "Integer":
      return dialect === "duckdb" ? "INTEGER" : "int"
    case "BigInt":
      return dialect === "duckdb" ? "BIGINT" : "bigint"
    case "Double":
      return dialect === "duckdb" ? "DOUBLE" : "double"
    case "Text":
    case "Enum":
      return dialect === "duckdb" ? "VARCHAR" : "string"
    case "Boolean":
      return dialect === "duckdb" ? "BOOLEAN" : "boolean"
    case "Date":
      return dialect === "duckdb" ? "DATE" : "date"
    case "Timestamp":
      return dialect === "duckdb" ? "TIMESTAMP" : "timestamp"
    case "List":
      return dialect === "duckdb" ? `${typeName(type.item, dialect)}[]` : `array<${typeName(type.item, dialect)}>`
  }
}

/** A CREATE TABLE statement for an asset's columns. */
export const createTable = (table: string, columns: ReadonlyArray<ColumnSpec>, dialect: Dialect): string => {
  const cols = columns.map((c) =>
    dialect === "duckdb"
      ? `  ${c.name} ${typeName(c.type, dialect)}${c.nullable ? "" : " NOT NULL"}`
      : `  \`${c.name}\` ${typeName(c.type, dialect)}`
  )
  return dialect === "duckdb"
    ? `CREATE TABLE ${table} (\n${cols.join(",\n")}\n)`
    : `CREATE EXTERNAL TABLE IF NOT EXISTS \`${table}\` (\n${cols.join(",\n")}\n)`
}
