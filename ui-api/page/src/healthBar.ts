import { count, esc } from "./dom.js"
import type { Health } from "./types.js"

/**
 * An asset's partitions as one bar of cells, each a run of partitions (one partition when few) coloured by the
 * worst status in it: the server cuts the range into at most a few hundred runs, so the bar draws the same for
 * ten partitions or ten thousand. A picked span of cells is a range to zoom into or to materialize.
 */
export type Bucket = Health["buckets"][number]

export interface Pick {
  /** indexes of the first and last picked cells */
  readonly first: number
  readonly last: number
}

const shown = (b: Bucket, running: boolean) => (running ? "RUNNING" : b.status)

const tip = (b: Bucket, status: string) => {
  const c = b.counts
  const parts = [`${c.FRESH} fresh`, `${c.STALE} stale`, `${c.MISSING} missing`, ...(c.FAILED ? [`${c.FAILED} failed`] : []), ...(c.RUNNING ? [`${c.RUNNING} running`] : [])]
  return b.partitions === 1 ? `${b.from}: ${status}` : `${b.from} … ${b.to} (${count(b.partitions)} partitions): ${parts.join(", ")}`
}

export const healthCells = (health: Health, pick: Pick | undefined, running: (b: Bucket) => boolean): string =>
  health.buckets
    .map((b, i) => {
      const status = shown(b, running(b))
      const picked = pick !== undefined && i >= pick.first && i <= pick.last
      return `<button type="button" class="hb-cell ${status}${picked ? " picked" : ""}" data-i="${i}" data-from="${esc(b.from)}" data-to="${esc(b.to)}" data-status="${status}" title="${esc(tip(b, status))}" aria-label="${esc(tip(b, status))}"></button>`
    })
    .join("")

/** The ends of the bar's range under it, and how many partitions each cell holds. */
export const healthAxis = (health: Health): string => {
  const per = health.buckets[0]?.partitions ?? 0
  return `<span>${esc(health.range.from ?? "")}</span><span class="small muted">${count(health.range.count)} of ${count(health.total)} partitions${per > 1 ? `, about ${count(per)} a cell` : ""}</span><span>${esc(health.range.to ?? "")}</span>`
}

/** The partitions a pick spans: from its first cell's first partition to its last cell's last. */
export const pickedRange = (health: Health, pick: Pick): { readonly from: string; readonly to: string; readonly partitions: number } => {
  const cells = health.buckets.slice(pick.first, pick.last + 1)
  return { from: cells[0]!.from, to: cells[cells.length - 1]!.to, partitions: cells.reduce((n, b) => n + b.partitions, 0) }
}

/** A click picks a cell; a shift-click extends the pick to that cell. */
export const extendPick = (pick: Pick | undefined, i: number, shift: boolean): Pick =>
  shift && pick !== undefined ? { first: Math.min(pick.first, i), last: Math.max(pick.last, i) } : { first: i, last: i }
