import { createHash, hash } from "node:crypto"
import type { AssetDef } from "../asset/Asset.js"
import type { AssetKey } from "../asset/AssetKey.js"
import type { AssetGraph } from "../graph/AssetGraph.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import type { PartitionsDefinition } from "../partitions/PartitionsDefinition.js"
import type { StatusResolver } from "./StatusResolver.js"

/** A list's length and the hash of its text: whether a later list starts with it can be told from these. */
export type Extent = readonly [length: number, hash: string]

// the lists are the resolver's and the definitions' own arrays, shared by the assets that read them: hashed once
const hashes = new WeakMap<ReadonlyArray<PartitionKey | null>, string>()
const hashOf = (list: ReadonlyArray<PartitionKey | null>) => {
  let h = hashes.get(list)
  if (h === undefined) hashes.set(list, (h = hash("sha1", list.join("\u0001"), "base64")))
  return h
}

/** how a list stands against the extent of the list it was: the same, grown at its end, or otherwise changed */
const against = (list: ReadonlyArray<PartitionKey | null>, was: Extent): "same" | "grown" | "changed" =>
  list.length === was[0] ? (hashOf(list) === was[1] ? "same" : "changed") : list.length > was[0] && hashOf(list.slice(0, was[0])) === was[1] ? "grown" : "changed"

/**
 * The print of what an asset's statuses are computed from but its upstreams' statuses and how many partitions
 * there are: its fingerprint's own part (definition, generation), and for each input the mapping and the upstream's
 * generation (its versions), or a source's fingerprint. Beside it, the extents of its definition's keys and of each
 * asset input's available partitions. When the print holds and the lists are the same, the statuses differ only
 * in which inputs are stale; when some grew at their end (a new month), the partitions it had differ only so, if
 * none of them reads a new one, and the new ones are missing (StatusResolver.restate). Asked of assets whose
 * upstreams are settled.
 */
export const versionsPrinter = (
  graph: AssetGraph,
  resolver: StatusResolver,
  prints: ReadonlyMap<AssetKey, string>,
  generations: ReadonlyMap<AssetKey, number>,
  keysOf: (def: PartitionsDefinition | undefined) => ReadonlyArray<PartitionKey>
) => {
  const memo = new Map<AssetKey, string>()
  const print = (key: AssetKey): string => {
    let print = memo.get(key)
    if (print !== undefined) return print
    const def = graph.get(key) as AssetDef<any, any>
    const h = createHash("sha1").update(`versions/2\u0000${key}\u0000${def.codeVersion}\u0000${generations.get(key) ?? 0}\u0000${def.partitions?.describe ?? "-"}`)
    for (const [name, side] of Object.entries(def.sideOutputs)) h.update(`\u0000side ${name}\u0001${side.countBy ?? ""}`)
    for (const e of graph.inputs(key)) {
      const up = graph.get(e.upstream)
      const what = e.self ? "self" : up._tag === "Source" ? `source ${prints.get(e.upstream) ?? "-"}` : `${generations.get(e.upstream) ?? 0}`
      h.update(`\u0000in ${e.upstream}\u0001${e.mapping.describe}\u0001${what}`)
    }
    memo.set(key, (print = h.digest("base64")))
    return print
  }
  /** the lists an asset's partitions and inputs come from: its keys, then each input's available partitions (null for a source or itself) */
  const lists = (key: AssetKey): ReadonlyArray<ReadonlyArray<PartitionKey | null> | null> => [
    keysOf(graph.get(key).partitions),
    ...graph.inputs(key).map((e) => (e.self || graph.get(e.upstream)._tag === "Source" ? null : resolver.available(e.upstream)))
  ]
  const extents = (key: AssetKey): ReadonlyArray<Extent | null> => lists(key).map((l) => (l === null ? null : [l.length, hashOf(l)] as const))
  /**
   * The lists now against those `was` gave: "same", or "grown" with, for each input, the upstream partitions its
   * list gained; "changed" when a list changed otherwise (or `was` is not of this shape).
   */
  const compare = (key: AssetKey, was: ReadonlyArray<Extent | null>) => {
    const now = lists(key)
    if (now.length !== was.length) return { _tag: "changed" } as const
    const gained: Array<ReadonlyArray<PartitionKey | null>> = []
    let grown = false
    for (let i = 0; i < now.length; i++) {
      const list = now[i]!
      const extent = was[i]
      if (list === null || extent === null || extent === undefined) {
        if (list !== null || (extent ?? null) !== null) return { _tag: "changed" } as const
        gained.push([])
        continue
      }
      const how = against(list, extent)
      if (how === "changed") return { _tag: "changed" } as const
      if (how === "grown") grown = true
      gained.push(how === "grown" ? list.slice(extent[0]) : [])
    }
    return grown ? ({ _tag: "grown", inputs: gained.slice(1) } as const) : ({ _tag: "same" } as const)
  }
  return { print, extents, compare }
}
