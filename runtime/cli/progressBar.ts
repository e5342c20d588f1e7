import type { BackfillProgress } from "../backfill/runBackfill.js"

/**
 * A one-line progress bar: done / failed / remaining, rate and ETA. On a terminal it redraws in place; otherwise
 * it prints a line at most every two seconds, so logs stay readable.
 */
export const progressBar = (out: NodeJS.WriteStream = process.stdout) => {
  const started = Date.now()
  let lastLine = 0
  let firstDone: number | undefined
  const render = (p: BackfillProgress) => {
    const finished = p.done + p.failed
    firstDone ??= finished
    const seconds = (Date.now() - started) / 1000
    const rate = seconds > 0 ? (finished - firstDone) / seconds : 0
    const eta = rate > 0 ? `${Math.ceil(p.remaining / rate)}s` : "?"
    const width = 30
    const filled = p.total === 0 ? width : Math.round((finished / p.total) * width)
    return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${finished}/${p.total}  done ${p.done}  failed ${p.failed}  remaining ${p.remaining}  ${rate.toFixed(1)} tasks/s  ETA ${eta}`
  }
  return {
    update: (p: BackfillProgress) => {
      if (out.isTTY) out.write(`\r${render(p)}\u001b[K`)
      else if (Date.now() - lastLine > 2000) {
        lastLine = Date.now()
        out.write(`${render(p)}\n`)
      }
    },
    /** the last line; without progress (stopped early) only ends the line being redrawn */
    end: (p?: BackfillProgress) =>
      p === undefined ? (out.isTTY ? out.write("\n") : true) : out.write(`${out.isTTY ? "\r" : ""}${render(p)}${out.isTTY ? "\u001b[K" : ""}\n`)
  }
}
