import type { RunEvent } from "../runtime/events/records.js"
import { stepsOf } from "../runtime/cli/commands/runs.run.js"
import type { RunStep } from "./schemas.js"

/** The rows a step wrote, from its success message (`N rows, data version V`, the executor's own words). */
const rowsOf = (state: string, message: string): number | null => {
  const m = state === "succeeded" ? /^(\d+) rows\b/.exec(message) : null
  return m === null ? null : Number(m[1])
}

/** A run's steps as `assets runs show` folds its events, with each one's duration and rows. */
export const runSteps = (events: ReadonlyArray<RunEvent>): ReadonlyArray<typeof RunStep.Type> =>
  stepsOf(events).map((s) => ({
    asset: s.asset,
    partition: s.partition,
    state: s.state as (typeof RunStep.Type)["state"],
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    durationMs: s.startedAt !== null && s.endedAt !== null ? Date.parse(s.endedAt) - Date.parse(s.startedAt) : null,
    rows: rowsOf(s.state, s.message),
    message: s.message
  }))
