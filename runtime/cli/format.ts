import type { PartitionKey } from "../partitions/PartitionKey.js"

export const at = (asset: string, partition: PartitionKey | string | null | undefined): string =>
  partition === null || partition === undefined ? asset : `${asset}[${partition}]`

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`

export { keyRanges } from "../partitions/keyRanges.js"
