import type { CheckResult } from "./CheckResult.js"
import { describeFailure } from "./gate.js"

const marks = { PASSED: "✓", FAILED: "✗", WARNED: "!" } as const

/**
 * One line per check result, as the commands print it: `✓ check not_null_id`, `! check rejected_under_1pct: 30 of
 * 2000 rows rejected: 1.50% (at most 1.00%)`, `✗ check id_in_films: 3 failing rows, e.g. {"id":9} (blocking)`.
 */
export const checkLine = (r: CheckResult): string => {
  if (r.status === "PASSED") return `${marks.PASSED} check ${r.check}${r.failingRows === null ? `: ${r.message}` : ""}`
  return `${marks[r.status]} check ${r.check}: ${describeFailure(r)}${r.blocking ? " (blocking)" : ""}`
}

/** A result in JSON for scripts (`--json`): what a person reads, without the ids. */
export const checkJson = (r: CheckResult) => ({
  check: r.check,
  status: r.status,
  severity: r.severity,
  blocking: r.blocking,
  failingRows: r.failingRows,
  message: r.message,
  sample: r.sample
})
