import { addMonths } from "../PartitionKey.js"
import type { PartitionKey } from "../PartitionKey.js"
import type { PartitionMapping } from "./PartitionMapping.js"

/**
 * Month M reads upstream months M+startOffset .. M+endOffset. Landing prefixes are arrival months, so a
 * lateness window of one month is `timeWindow({ startOffset: 0, endOffset: 1 })`.
 */
export const timeWindow = (options: { readonly startOffset: number; readonly endOffset: number }): PartitionMapping => {
  const { startOffset, endOffset } = options
  if (!Number.isInteger(startOffset) || !Number.isInteger(endOffset) || endOffset < startOffset) {
    throw new Error(`timeWindow: offsets must be integers with startOffset <= endOffset, got ${startOffset}..${endOffset}`)
  }
  const range = (p: PartitionKey, from: number, to: number) => {
    const keys: Array<PartitionKey> = []
    for (let i = from; i <= to; i++) keys.push(addMonths(p, i))
    return keys
  }
  return {
    _tag: "TimeWindow",
    describe: `time window (month M reads M${fmt(startOffset)} .. M${fmt(endOffset)})`,
    check: (up, down) => (up && down ? undefined : "a time window needs both assets partitioned"),
    upstream: (p) => (p === undefined ? { _tag: "All" } : { _tag: "Keys", keys: range(p, startOffset, endOffset) }),
    downstream: (p) => (p === undefined ? { _tag: "All" } : { _tag: "Keys", keys: range(p, -endOffset, -startOffset) }),
    creates: (p) => (p === undefined ? { _tag: "All" } : { _tag: "Keys", keys: range(p, -startOffset, -startOffset) })
  }
}

const fmt = (n: number) => (n === 0 ? "" : n > 0 ? `+${n}` : `${n}`)
