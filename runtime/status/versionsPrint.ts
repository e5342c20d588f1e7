import { createHash, hash } from "node:crypto"
import type { AssetDef } from "../asset/Asset.js"
import type { AssetKey } from "../asset/AssetKey.js"
import type { AssetGraph } from "../graph/AssetGraph.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import type { PartitionsDefinition } from "../partitions/PartitionsDefinition.js"
import type { StatusResolver } from "./StatusResolver.js"

/**
 * The print of what an asset's statuses are computed from but its upstreams' statuses: its fingerprint's own part
 * (definition, partitions' keys, generation), and for each input the mapping, the upstream's generation (its
 * versions) and available partitions, or a source's fingerprint. When only this holds, the statuses differ only
 * in which inputs are stale (StatusResolver.restate). Asked of assets whose upstreams are settled.
 */
export const versionsPrinter = (
  graph: AssetGraph,
  resolver: StatusResolver,
  prints: ReadonlyMap<AssetKey, string>,
  generations: ReadonlyMap<AssetKey, number>,
  keysOf: (def: PartitionsDefinition | undefined) => ReadonlyArray<PartitionKey>
) => {
  const availablePrints = new Map<AssetKey, string>()
  const availablePrint = (key: AssetKey) => {
    let print = availablePrints.get(key)
    if (print === undefined) availablePrints.set(key, (print = hash("sha1", resolver.available(key).join("\u0001"), "base64")))
    return print
  }
  const keysPrints = new Map<PartitionsDefinition | undefined, string>()
  const keysPrint = (def: PartitionsDefinition | undefined) => {
    let print = keysPrints.get(def)
    if (print === undefined) keysPrints.set(def, (print = def === undefined ? "-" : hash("sha1", `${def.describe}\u0001${keysOf(def).join("\u0001")}`, "base64")))
    return print
  }
  const memo = new Map<AssetKey, string>()
  return (key: AssetKey): string => {
    let print = memo.get(key)
    if (print !== undefined) return print
    const def = graph.get(key) as AssetDef<any, any>
    const h = createHash("sha1").update(`versions/1\u0000${key}\u0000${def.codeVersion}\u0000${generations.get(key) ?? 0}\u0000${keysPrint(def.partitions)}`)
    for (const [name, side] of Object.entries(def.sideOutputs)) h.update(`\u0000side ${name}\u0001${side.countBy ?? ""}`)
    for (const e of graph.inputs(key)) {
      const up = graph.get(e.upstream)
      const what = e.self ? "self" : up._tag === "Source" ? `source ${prints.get(e.upstream) ?? "-"}` : `${generations.get(e.upstream) ?? 0} ${availablePrint(e.upstream)}`
      h.update(`\u0000in ${e.upstream}\u0001${e.mapping.describe}\u0001${what}`)
    }
    memo.set(key, (print = h.digest("base64")))
    return print
  }
}
