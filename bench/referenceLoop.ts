/**
 * A fixed piece of JavaScript (integer arithmetic, then 100,000 string keys into a Map), timed on this thread: the
 * same work on every bench and every day. The VMs here ran the same code 2-5x faster on one day than on another, so
 * a figure against an absolute target (requests/s, ms per asset) means little without it; ratios to a baseline of
 * the same run do not need it. Run it when nothing else of the bench is running.
 */
const once = (): number => {
  const started = performance.now()
  let x = 0
  for (let i = 0; i < 30_000_000; i++) x = (x + i * 7) % 1_000_003
  const keys = new Map<string, number>()
  for (let i = 0; i < 100_000; i++) keys.set(`k${i}`, i)
  // the results are used, so the work is not optimized away
  if (x < 0 || keys.size !== 100_000) throw new Error("the reference loop went wrong")
  return performance.now() - started
}

/** the line a bench prints: the loop's time, the median of `runs` */
export const referenceLoopLine = (runs = 3): string => {
  const times = Array.from({ length: runs }, once).sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)]!
  return `this machine: the reference JavaScript loop (bench/referenceLoop.ts) took ${median.toFixed(0)} ms${runs > 1 ? `, median of ${runs}` : ""}; compare it before comparing absolute figures across days`
}
