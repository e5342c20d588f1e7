import { Console, Effect, Option } from "effect"
import { EventStore } from "../../events/EventStore.js"
import type { Run, RunEvent } from "../../events/records.js"
import { leaseTtlMs, shownStatus } from "../../execute/liveness.js"
import { SelectionError } from "../../graph/Selection.js"
import { at, seconds } from "../format.js"

const duration = (from: string, to: string | null) => (to === null ? "" : seconds(Date.parse(to) - Date.parse(from)))

/** A step's events folded into one line: when it started, how it ended, how long it took. */
interface Step {
  readonly asset: string
  readonly partition: string | null
  readonly startedAt: string | null
  readonly endedAt: string | null
  readonly state: string
  readonly message: string
}

const ends: Record<string, string> = {
  STEP_SUCCESS: "succeeded",
  STEP_FAILURE: "failed",
  STEP_SKIPPED_FRESH: "fresh",
  STEP_ABANDONED: "abandoned",
  STEP_CANCELED: "canceled"
}

export const stepsOf = (events: ReadonlyArray<RunEvent>): ReadonlyArray<Step> => {
  const steps = new Map<string, Step>()
  for (const e of events) {
    if (e.asset === null) continue
    const id = at(e.asset, e.partition)
    const was = steps.get(id) ?? { asset: e.asset, partition: e.partition, startedAt: null, endedAt: null, state: "running", message: "" }
    if (e.type === "STEP_START") steps.set(id, { ...was, startedAt: e.at, state: "running" })
    else if (ends[e.type] !== undefined) steps.set(id, { ...was, endedAt: e.at, state: ends[e.type]!, message: e.message })
  }
  return [...steps.values()]
}

const runLine = (r: Run) =>
  `${r.id}  ${r.status.padEnd(9)} ${r.kind.padEnd(11)} ${r.startedAt}  ${duration(r.startedAt, r.endedAt).padStart(7)}  ${r.selection}`

/** `assets runs`'s handler, loaded when the command runs (runs.ts defines the command). */
export const listRuns = (args: { readonly status: Option.Option<Run["status"]>; readonly limit: number; readonly json: boolean }) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const ttl = yield* leaseTtlMs
    const now = Date.now()
    const wanted = Option.getOrUndefined(args.status)
    const limit = Math.max(1, args.limit)
    // a dead run is stored STARTED until a runner notices: filter on the status a reader sees
    const stored = (status: Run["status"] | undefined) => store.runs({ limit, ...(status ? { status } : {}) })
    const candidates =
      wanted === "STARTED" || wanted === "ABANDONED"
        ? [...(yield* stored("STARTED")), ...(yield* stored("ABANDONED"))].sort((a, b) => b.startedAt.localeCompare(a.startedAt))
        : yield* stored(wanted)
    const runs = candidates
      .map((r) => ({ ...r, status: shownStatus(r, now, ttl) }))
      .filter((r) => wanted === undefined || r.status === wanted)
      .slice(0, limit)
    yield* Console.log(args.json ? JSON.stringify(runs, null, 2) : runs.map(runLine).join("\n") || "no runs yet")
  })

/** `assets runs show <id>`'s handler. */
export const show = (args: { readonly id: string; readonly json: boolean }) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const run = yield* store.run(args.id)
    if (run === undefined) return yield* new SelectionError({ message: `no run ${args.id}: \`assets runs\` lists them`, suggestions: [] })
    const status = shownStatus(run, Date.now(), yield* leaseTtlMs)
    const events = yield* store.runEvents(run.id)
    const steps = stepsOf(events)
    if (args.json) return yield* Console.log(JSON.stringify({ run: { ...run, status }, steps, events }, null, 2))
    const lines = [
      `run ${run.id} ${status}: ${run.kind} ${run.selection}, started ${run.startedAt}${run.endedAt ? `, took ${duration(run.startedAt, run.endedAt)}` : ""} (${run.host}, pid ${run.pid})`,
      ...events.filter((e) => e.asset === null).map((e) => `  ${e.at}  ${e.type.padEnd(14)} ${e.message}`),
      ...steps.map(
        (s) =>
          `  ${s.state.padEnd(9)} ${at(s.asset, s.partition).padEnd(40)} ${s.startedAt ?? "".padEnd(24)}  ${(s.startedAt ? duration(s.startedAt, s.endedAt) : "").padStart(7)}${
            s.message ? `  ${s.message.includes("\n") ? `\n      ${s.message.split("\n").join("\n      ")}` : s.message}` : ""
          }`
      )
    ]
    yield* Console.log(lines.join("\n"))
  })
