import type { ColumnSpec } from "../asset/columns.js"
import { typeName, type Dialect } from "../asset/ddl.js"
import type { OutputStats } from "./Engine.js"

/** Column by column: every declared column present, in order, with its declared type, and nothing else. */
export const columnProblems = (
  expected: ReadonlyArray<ColumnSpec>,
  actual: OutputStats["columns"],
  dialect: Dialect
): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const byName = new Map(actual.map((c, i) => [c.name, { ...c, index: i }]))
  expected.forEach((col, i) => {
    const found = byName.get(col.name)
    const want = typeName(col.type, dialect)
    if (found === undefined) problems.push(`column '${col.name}' is missing (expected ${want})`)
    else if (found.type.toUpperCase() !== want.toUpperCase()) {
      problems.push(`column '${col.name}' has type ${found.type}, expected ${want}`)
    } else if (found.index !== i) problems.push(`column '${col.name}' is at position ${found.index + 1}, expected ${i + 1}`)
  })
  const declared = new Set(expected.map((c) => c.name))
  for (const c of actual) if (!declared.has(c.name)) problems.push(`column '${c.name}' is not in the schema`)
  return problems
}
