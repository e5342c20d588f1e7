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
    lines.push(`${i.asset}\u0000${i.partition ?? ""}\u0000${i.dataVersion}`)
  }
  // a set: the same partition read through two inputs counts once
  const text = lines.length < 2 ? (lines[0] ?? "") : [...new Set(lines)].sort().join("\n")
  return hash("sha1", text, "base64")
}
