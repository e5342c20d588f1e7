import { Either } from "effect"
import type { PartitionKey } from "./PartitionKey.js"
import { badKeyCharacter, PartitionError, type PartitionsDefinition } from "./PartitionsDefinition.js"

export interface StaticPartitions extends PartitionsDefinition {
  readonly _tag: "Static"
  readonly values: ReadonlyArray<PartitionKey>
}

/** A fixed list of keys (regions, partners), in the order given. */
export const staticPartitions = (values: ReadonlyArray<string>): StaticPartitions => {
  if (values.length === 0) throw new Error("static partitions: give at least one key")
  for (const v of values) {
    if (v.length === 0 || v.length > 64 || badKeyCharacter.test(v) || v !== v.trim()) {
      throw new Error(`static partitions: '${v}' is not a usable key (1 to 64 characters, no / \\ | , or spaces around)`)
    }
  }
  const dup = values.find((v, i) => values.indexOf(v) !== i)
  if (dup !== undefined) throw new Error(`static partitions: '${dup}' is listed twice`)
  const position = new Map(values.map((v, i) => [v, i]))
  const list = values.join(", ")
  return {
    _tag: "Static",
    id: `static:${JSON.stringify(values)}`,
    describe: `static (${list})`,
    values: values as ReadonlyArray<PartitionKey>,
    keys: () => values as ReadonlyArray<PartitionKey>,
    contains: (key) => position.has(key),
    parse: (text) =>
      position.has(text)
        ? Either.right(text as PartitionKey)
        : Either.left(new PartitionError({ message: `'${text}' is not a partition: the partitions are ${list}` })),
    compare: (a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0),
    folder: (key) => `partition=${key}/`,
    window: () => undefined,
    dimensions: () => undefined,
    rangeText: () => `are ${list}`
  }
}
