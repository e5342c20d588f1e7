import { createHash } from "node:crypto"
import type { AssetKey } from "../asset/AssetKey.js"
import type { AssetGraph } from "../graph/AssetGraph.js"
import type { PartitionContext, PartitionsDefinition } from "../partitions/PartitionsDefinition.js"
import type { State } from "./State.js"

/** Bumped when what a cached body holds, or how it is computed, changes: older entries then never match. */
const FORMAT = "status-cache/1"

/**
 * The fingerprint of everything an asset's statuses are computed from, per asset of `closure` (in topological
 * order): its definition (code version, partitions and their keys now, side outputs), its generation (its current
 * records), and for each input the mapping and the upstream's own fingerprint; for a source, what it shows now.
 * Equal fingerprints, equal statuses. An asset reading a source that failed to be observed has none.
 */
export const fingerprints = (
  graph: AssetGraph,
  closure: ReadonlyArray<AssetKey>,
  state: State,
  generations: ReadonlyMap<AssetKey, number>,
  ctx: PartitionContext
): ReadonlyMap<AssetKey, string> => {
  const out = new Map<AssetKey, string>()
  const keySignatures = new Map<PartitionsDefinition, string>()
  const keysOf = (def: PartitionsDefinition | undefined): string => {
    if (def === undefined) return "-"
    let signature = keySignatures.get(def)
    if (signature === undefined) {
      signature = createHash("sha1").update(def.describe).update("\u0001").update(def.keys(ctx).join("\u0001")).digest("base64")
      keySignatures.set(def, signature)
    }
    return signature
  }
  for (const key of closure) {
    const def = graph.get(key)
    if (state.failedSources.has(key)) continue
    const h = createHash("sha1").update(FORMAT).update("\u0000").update(key).update("\u0000").update(keysOf(def.partitions))
    if (def._tag === "Source") {
      const partitions = def.partitions === undefined ? [null] : state.observedPartitions(key)
      for (const p of partitions) h.update(`\u0000${p ?? ""}\u0001${state.observation(key, p)?.dataVersion ?? "-"}`)
    } else {
      h.update(`\u0000${def.codeVersion}\u0000${generations.get(key) ?? 0}`)
      for (const [name, side] of Object.entries(def.sideOutputs)) h.update(`\u0000side ${name}\u0001${side.countBy ?? ""}`)
      let complete = true
      for (const e of graph.inputs(key)) {
        const upstream = e.self ? "self" : out.get(e.upstream)
        if (upstream === undefined) complete = false
        h.update(`\u0000in ${e.upstream}\u0001${e.mapping.describe}\u0001${upstream ?? ""}`)
      }
      if (!complete) continue
    }
    out.set(key, h.digest("base64"))
  }
  return out
}
