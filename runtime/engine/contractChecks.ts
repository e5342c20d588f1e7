import type { ColumnSpec } from "../asset/columns.js"

export interface ContractCheck {
  /** an SQL condition true for a row that breaks the contract (standard SQL: both engines run it) */
  readonly expr: string
  readonly message: (rows: number) => string
}

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`

/** The row-level checks an output must pass: no NULL in a required column, no value outside an enum. */
export const contractChecks = (columns: ReadonlyArray<ColumnSpec>): ReadonlyArray<ContractCheck> =>
  columns.flatMap((c) => [
    ...(c.nullable ? [] : [{ expr: `${ident(c.name)} IS NULL`, message: (n: number) => `column '${c.name}': ${n} rows are NULL, which its schema does not allow` }]),
    ...(c.type._tag === "Enum"
      ? [
          {
            expr: `${ident(c.name)} NOT IN (${c.type.values.map(literal).join(", ")})`,
            message: (n: number) => `column '${c.name}': ${n} rows hold a value outside ${(c.type as { values: ReadonlyArray<string> }).values.join(", ")}`
          }
        ]
      : [])
  ])
