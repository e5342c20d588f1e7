import { Either } from "effect"
import type { PartitionKey } from "./PartitionKey.js"
import { badKeyCharacter, PartitionError, type PartitionsDefinition } from "./PartitionsDefinition.js"

export interface DynamicPartitions extends PartitionsDefinition {
  readonly _tag: "Dynamic"
  /** the name its keys are stored under in the event store */
  readonly name: string
}

/** Whether a dynamic key is usable: the same rule as static keys. */
export const dynamicKeyProblem = (key: string): string | undefined =>
  key.length === 0 || key.length > 64 || badKeyCharacter.test(key) || key !== key.trim()
    ? `'${key}' is not a usable partition key (1 to 64 characters, no / \\ | , or spaces around)`
    : undefined

/**
 * Keys added and removed at run time (`assets partitions add <name> <key>`, the API, or a source's observation),
 * kept in the event store under `name`; in the order they were added.
 */
export const dynamicPartitions = (name: string): DynamicPartitions => {
  // the store keeps the name in VARCHAR(64) on MySQL
  if (!/^[a-z][a-z0-9_]{0,63}$/.test(name)) throw new Error(`dynamic partitions: name '${name}' must be 1 to 64 lower-case letters, digits and _`)
  return {
    _tag: "Dynamic",
    id: `dynamic:${name}`,
    name,
    describe: `dynamic (${name})`,
    keys: (ctx) => ctx.dynamicKeys(name) as ReadonlyArray<PartitionKey>,
    contains: (key, ctx) => ctx.hasDynamicKey(name, key),
    parse: (text, ctx) => {
      const keys = ctx.dynamicKeys(name)
      if (ctx.hasDynamicKey(name, text)) return Either.right(text as PartitionKey)
      return Either.left(
        new PartitionError({
          message: `'${text}' is not a partition of ${name}: ${keys.length === 0 ? "it has no keys yet" : `its keys are ${keys.slice(0, 10).join(", ")}${keys.length > 10 ? ", ..." : ""}`} (assets partitions add ${name} ${text} adds it)`
        })
      )
    },
    compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
    folder: (key) => `${name}=${key}/`,
    window: () => undefined,
    dimensions: () => undefined,
    rangeText: (ctx) => `are the ${ctx.dynamicKeys(name).length} keys of ${name}`
  }
}
