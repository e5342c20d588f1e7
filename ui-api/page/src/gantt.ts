import type { Run } from "./types.js"

/** A run's steps on one time axis, as percentages of the run's span (a step still running ends now). */
export type Step = Run["steps"][number]

export interface Bar {
  readonly step: Step
  /** percent of the axis */
  readonly left: number
  readonly width: number
  readonly ms: number | null
}

export interface Axis {
  readonly bars: ReadonlyArray<Bar>
  /** the span drawn, in ms */
  readonly span: number
  readonly ticks: ReadonlyArray<{ readonly at: number; readonly ms: number }>
}

/** the narrowest bar, in percent, so a step of no time (found fresh) still shows */
const MIN_WIDTH = 0.4

export const gantt = (run: Pick<Run, "startedAt" | "endedAt">, steps: ReadonlyArray<Step>, now: number): Axis => {
  const start = Date.parse(run.startedAt)
  const endOf = (s: Step) => (s.endedAt ? Date.parse(s.endedAt) : now)
  const startOf = (s: Step) => (s.startedAt ? Date.parse(s.startedAt) : endOf(s))
  const end = Math.max(run.endedAt ? Date.parse(run.endedAt) : now, ...steps.map(endOf), start + 1)
  const span = end - start
  const pct = (t: number) => Math.min(100, Math.max(0, ((t - start) / span) * 100))
  const bars = steps.map((step) => {
    const left = pct(startOf(step))
    const width = Math.max(MIN_WIDTH, pct(endOf(step)) - left)
    return { step, left: Math.min(left, 100 - MIN_WIDTH), width, ms: step.startedAt ? endOf(step) - startOf(step) : null }
  })
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({ at: f * 100, ms: f * span }))
  return { bars, span, ticks }
}
