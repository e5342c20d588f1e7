import { Either } from "effect"
import type { PartitionKey } from "./PartitionKey.js"
import { PartitionError, type PartitionContext, type PartitionsDefinition } from "./PartitionsDefinition.js"

export interface MultiPartitions extends PartitionsDefinition {
  readonly _tag: "Multi"
  /** the dimensions in key order: a key is their values joined by `|` (`2023-08|europe`) */
  readonly dims: ReadonlyArray<{ readonly name: string; readonly def: PartitionsDefinition }>
  readonly split: (key: string) => ReadonlyArray<string> | undefined
  readonly join: (values: ReadonlyArray<string>) => PartitionKey
}

/**
 * Two dimensions, e.g. `multiPartitions({ month: monthly({ start: "2023-01" }), region: staticPartitions([...]) })`;
 * every combination is a partition, written `2023-08|europe` (dimensions in the order given).
 */
export const multiPartitions = (dimensions: Readonly<Record<string, PartitionsDefinition>>): MultiPartitions => {
  const dims = Object.entries(dimensions).map(([name, def]) => ({ name, def }))
  if (dims.length !== 2) throw new Error(`multi partitions: give exactly two dimensions, got ${dims.length}`)
  for (const d of dims) {
    if (!/^[a-z][a-z0-9_]*$/.test(d.name)) throw new Error(`multi partitions: dimension name '${d.name}' must be lower-case letters, digits and _`)
    if (d.def._tag === "Multi") throw new Error(`multi partitions: dimension '${d.name}' cannot itself be multi-dimensional`)
  }
  if (dims.filter((d) => d.def._tag === "TimeWindow").length > 1) throw new Error("multi partitions: at most one dimension is a time window")
  const split = (key: string) => {
    const parts = key.split("|")
    return parts.length === dims.length ? parts : undefined
  }
  const join = (values: ReadonlyArray<string>) => values.join("|") as PartitionKey
  const names = dims.map((d) => d.name).join(" x ")
  const contains = (key: string, ctx: PartitionContext) => {
    const parts = split(key)
    return parts !== undefined && dims.every((d, i) => d.def.contains(parts[i]!, ctx))
  }
  const timeDim = dims.findIndex((d) => d.def._tag === "TimeWindow")
  return {
    _tag: "Multi",
    id: `multi:${dims.map((d) => `${d.name}=${d.def.id}`).join(";")}`,
    describe: `${names}: ${dims.map((d) => `${d.name} ${d.def.describe}`).join("; ")}`,
    dims,
    split,
    join,
    keys: (ctx) => {
      const [a, b] = dims.map((d) => d.def.keys(ctx))
      const out: Array<PartitionKey> = []
      for (const x of a!) for (const y of b!) out.push(join([x, y]))
      return out
    },
    contains,
    parse: (text, ctx) => {
      const parts = split(text)
      if (parts === undefined) {
        return Either.left(
          new PartitionError({ message: `'${text}' is not a partition key of ${names}: write one value per dimension joined by |, e.g. ${dims.map((d) => d.def.keys(ctx)[0] ?? d.name).join("|")}` })
        )
      }
      for (const [i, d] of dims.entries()) {
        const r = d.def.parse(parts[i]!, ctx)
        if (Either.isLeft(r)) return Either.left(new PartitionError({ message: `dimension ${d.name}: ${r.left.message}` }))
      }
      return Either.right(text as PartitionKey)
    },
    compare: (a, b) => {
      const pa = split(a) ?? []
      const pb = split(b) ?? []
      for (const [i, d] of dims.entries()) {
        const c = d.def.compare(pa[i] ?? "", pb[i] ?? "")
        if (c !== 0) return c
      }
      return 0
    },
    folder: (key) => {
      const parts = split(key) ?? [key]
      return dims.map((d, i) => (d.def._tag === "TimeWindow" ? d.def.folder(parts[i]!) : `${d.name}=${parts[i]}/`)).join("")
    },
    window: (key) => (timeDim < 0 ? undefined : dims[timeDim]!.def.window(split(key)?.[timeDim] ?? "")),
    dimensions: (key) => {
      const parts = split(key)
      return parts === undefined ? undefined : Object.fromEntries(dims.map((d, i) => [d.name, parts[i]!]))
    },
    rangeText: (ctx) => dims.map((d) => `${d.name} ${d.def.rangeText(ctx)}`).join("; ")
  }
}
