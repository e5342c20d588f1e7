import { DirectedGraph } from "graphology"
import type { AnyAssetDef, Dependency } from "../asset/Asset.js"
import type { AssetKey } from "../asset/AssetKey.js"
import { defaultMapping } from "../partitions/mappings/defaultMapping.js"
import { bindMapping, type BoundMapping, type PartitionMapping } from "../partitions/mappings/PartitionMapping.js"
import type { PartitionsDefinition } from "../partitions/PartitionsDefinition.js"
import { GraphInvalid, validate } from "./validate.js"

/** An input edge: downstream reads upstream through a mapping. */
export interface Edge {
  readonly name: string
  readonly upstream: AssetKey
  readonly downstream: AssetKey
  readonly mapping: BoundMapping
  /** the asset reads earlier partitions of itself */
  readonly self: boolean
}

/**
 * The asset graph. Nodes are keys (the definitions sit in a map beside it), so traversals and the API never
 * touch compute code. Built only after validation passed.
 */
export interface AssetGraph {
  readonly graph: DirectedGraph
  readonly defs: ReadonlyMap<AssetKey, AnyAssetDef>
  /** deterministic: dependencies first, ties broken by key */
  readonly order: ReadonlyArray<AssetKey>
  readonly inputs: (key: AssetKey) => ReadonlyArray<Edge>
  readonly outputs: (key: AssetKey) => ReadonlyArray<Edge>
  readonly get: (key: AssetKey) => AnyAssetDef
  readonly has: (key: string) => key is AssetKey
}

export const mappingOf = (down: AnyAssetDef, d: Dependency): PartitionMapping => d.mapping ?? defaultMapping(d.asset.partitions, down.partitions)

/**
 * Validates every definition in one pass, then builds the graph; fails with every problem found. Every command
 * builds it at its start, so the order comes from the edges as read here; the graphology graph is made only when
 * asked for (at 10,000 assets its edges alone took longer than the rest: bench/runtime.ts).
 */
export const buildGraph = (assets: ReadonlyArray<AnyAssetDef>): AssetGraph => {
  const problems = validate(assets)
  if (problems.length > 0) throw new GraphInvalid({ problems })

  const defs = new Map<AssetKey, AnyAssetDef>()
  for (const a of assets) defs.set(a.key, a)
  const inputs = new Map<AssetKey, Array<Edge>>()
  const outputs = new Map<AssetKey, Array<Edge>>()
  const bind = boundMappings()
  for (const a of assets) {
    if (a._tag !== "Asset") continue
    for (const name of Object.keys(a.deps)) {
      const d = a.deps[name]!
      const self = d.asset.key === a.key
      const edge: Edge = { name, upstream: d.asset.key, downstream: a.key, mapping: bind(mappingOf(a, d), d.asset.partitions, a.partitions), self }
      push(inputs, a.key, edge)
      push(outputs, d.asset.key, edge)
    }
  }
  const order = topologicalOrder(assets, inputs, outputs)
  let graph: DirectedGraph | undefined
  return {
    get graph() {
      return (graph ??= graphOf(assets, inputs))
    },
    defs,
    order,
    inputs: (k) => inputs.get(k) ?? [],
    outputs: (k) => outputs.get(k) ?? [],
    get: (k) => {
      const d = defs.get(k)
      if (d === undefined) throw new Error(`no asset '${k}' in the graph`)
      return d
    },
    has: (k): k is AssetKey => defs.has(k as AssetKey)
  }
}

const push = <K, V>(m: Map<K, Array<V>>, k: K, v: V) => {
  const xs = m.get(k)
  if (xs === undefined) m.set(k, [v])
  else xs.push(v)
}

/**
 * bindMapping, once per mapping and pair of partitionings: most edges of a large graph join the same kinds of
 * partitions through the same (default) mapping, and a bound mapping holds nothing of its edge.
 */
const boundMappings = () => {
  const NONE = {}
  const cache = new Map<PartitionMapping, Map<object, Map<object, BoundMapping>>>()
  return (m: PartitionMapping, upstream: PartitionsDefinition | undefined, downstream: PartitionsDefinition | undefined): BoundMapping => {
    let byUp = cache.get(m)
    if (byUp === undefined) cache.set(m, (byUp = new Map()))
    let byDown = byUp.get(upstream ?? NONE)
    if (byDown === undefined) byUp.set(upstream ?? NONE, (byDown = new Map()))
    let bound = byDown.get(downstream ?? NONE)
    if (bound === undefined) byDown.set(downstream ?? NONE, (bound = bindMapping(m, { upstream, downstream })))
    return bound
  }
}

/** The assets as a graphology graph: an edge from each upstream asset to each asset reading it (not to itself). */
const graphOf = (assets: ReadonlyArray<AnyAssetDef>, inputs: ReadonlyMap<AssetKey, ReadonlyArray<Edge>>): DirectedGraph => {
  const graph = new DirectedGraph()
  for (const a of assets) graph.addNode(a.key)
  for (const a of assets) for (const e of inputs.get(a.key) ?? []) if (!e.self) graph.mergeEdge(e.upstream, e.downstream)
  return graph
}

/**
 * Kahn's algorithm with a sorted ready list, so the order is stable across runs and machines. An asset reading
 * another twice counts it once; a self-dependency orders partitions, not assets.
 */
const topologicalOrder = (
  assets: ReadonlyArray<AnyAssetDef>,
  inputs: ReadonlyMap<AssetKey, ReadonlyArray<Edge>>,
  outputs: ReadonlyMap<AssetKey, ReadonlyArray<Edge>>
): ReadonlyArray<AssetKey> => {
  const indegree = new Map<AssetKey, number>()
  for (const a of assets) indegree.set(a.key, new Set((inputs.get(a.key) ?? []).filter((e) => !e.self).map((e) => e.upstream)).size)
  let ready = assets.filter((a) => indegree.get(a.key) === 0).map((a) => a.key).sort()
  const order: Array<AssetKey> = []
  while (ready.length > 0) {
    const next: Array<AssetKey> = []
    for (const n of ready) {
      order.push(n)
      for (const m of new Set((outputs.get(n) ?? []).filter((e) => !e.self).map((e) => e.downstream))) {
        const d = indegree.get(m)! - 1
        indegree.set(m, d)
        if (d === 0) next.push(m)
      }
    }
    ready = next.sort()
  }
  return order
}
