import type { PartitionsDefinition } from "./PartitionsDefinition.js"

/**
 * Keys as compact ranges in their definition's order: `2023-01..2023-04, 2023-07`. Without a time definition,
 * months and days are recognised by their spelling; other keys are listed.
 */
export const keyRanges = (keys: ReadonlyArray<string>, def?: PartitionsDefinition): string => {
  const position = positionOf(keys, def)
  if (position === undefined) return [...keys].sort().join(", ")
  const sorted = [...keys].sort((a, b) => position(a) - position(b))
  const out: Array<string> = []
  for (let i = 0; i < sorted.length; ) {
    let j = i
    while (j + 1 < sorted.length && position(sorted[j + 1]!) === position(sorted[j]!) + 1) j++
    out.push(i === j ? sorted[i]! : `${sorted[i]}..${sorted[j]}`)
    i = j + 1
  }
  return out.join(", ")
}

const positionOf = (keys: ReadonlyArray<string>, def: PartitionsDefinition | undefined): ((k: string) => number) | undefined => {
  if (def?._tag === "TimeWindow") {
    const tw = def as PartitionsDefinition & { indexOf: (k: string) => number | undefined }
    return (k) => tw.indexOf(k) ?? Number.NaN
  }
  if (keys.every((k) => /^\d{4}-\d{2}$/.test(k))) return (k) => Number(k.slice(0, 4)) * 12 + Number(k.slice(5, 7))
  if (keys.every((k) => /^\d{4}-\d{2}-\d{2}$/.test(k))) return (k) => Date.parse(`${k}T00:00:00Z`) / 86_400_000
  return undefined
}
