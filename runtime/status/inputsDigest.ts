import { hash } from "node:crypto"
import type { PartitionKey } from "../partitions/PartitionKey.js"

/**
 * What a materialization read, in one short text: the hash of the set of input partitions it read with their data
 * versions. Stored with each record, so status can tell that a partition read exactly what its inputs hold now
 * without reading the inputs back (three rows a record); only when the texts differ are they read, for the causes.
 */
export const inputsDigest = (
  inputs: ReadonlyArray<{ readonly asset: string; readonly partition: PartitionKey | null; readonly dataVersion: string | undefined }>
): string => {
  const lines: Array<string> = []
  for (const i of inputs) {
    // an input with nothing to read is never what was read: no record has it
    if (i.dataVersion === undefined) return "missing"
    lines.push(digestLine(i.asset, i.partition, i.dataVersion))
  }
  return digestOfLines(lines)
}

/** one input partition's line in a digest */
export const digestLine = (asset: string, partition: PartitionKey | null, dataVersion: string): string => `${asset}\u0000${partition ?? ""}\u0000${dataVersion}`

/** The digest of input partitions given as their `digestLine`s (sorted in place). */
export const digestOfLines = (lines: Array<string>): string => {
  // a set: the same partition read through two inputs counts once
  if (lines.length > 1) lines.sort()
  let text = lines[0] ?? ""
  if (lines.length > 1) {
    for (let i = 1; i < lines.length; i++) if (lines[i] !== lines[i - 1]) text += `\n${lines[i]}`
  }
  return hash("sha1", text, "base64")
}
