import type { SourceRow } from "./SakilaSource.js"

const needsQuote = /[",\n\r]/

/** A value as a DMS full load writes it: timestamps as `YYYY-MM-DD HH:MM:SS` UTC, NULL as an empty field. */
const field = (v: string | number | Date | null): string => {
  if (v === null) return ""
  if (v instanceof Date) return v.toISOString().slice(0, 19).replace("T", " ")
  const s = String(v)
  return needsQuote.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

export const csvLine = (row: SourceRow | ReadonlyArray<string>): string => `${row.map(field).join(",")}\n`
