import type { PartitionKey } from "../partitions/PartitionKey.js"

export const at = (asset: string, partition: PartitionKey | string | null | undefined): string =>
  partition === null || partition === undefined ? asset : `${asset}[${partition}]`

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`

/** Month keys as compact ranges: 2023-01..2023-04, 2023-07. */
export const monthRanges = (keys: ReadonlyArray<string>): string => {
  const idx = (p: string) => Number(p.slice(0, 4)) * 12 + Number(p.slice(5, 7))
  const sorted = [...keys].sort()
  const out: Array<string> = []
  for (let i = 0; i < sorted.length; ) {
    let j = i
    while (j + 1 < sorted.length && idx(sorted[j + 1]!) === idx(sorted[j]!) + 1) j++
    out.push(i === j ? sorted[i]! : `${sorted[i]}..${sorted[j]}`)
    i = j + 1
  }
  return out.join(", ")
}
