import { DirectedGraph } from "graphology"
import type { AnyAssetDef, Dependency } from "../asset/Asset.js"
import type { AssetKey } from "../asset/AssetKey.js"
import { defaultMapping } from "../partitions/mappings/defaultMapping.js"
import { bindMapping, type BoundMapping, type PartitionMapping } from "../partitions/mappings/PartitionMapping.js"
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

/** Validates every definition in one pass, then builds the graph; fails with every problem found. */
export const buildGraph = (assets: ReadonlyArray<AnyAssetDef>): AssetGraph => {
  const problems = validate(assets)
  if (problems.length > 0) throw new GraphInvalid({ problems })

  const graph = new DirectedGraph()
  const defs = new Map<AssetKey, AnyAssetDef>()
  for (const a of assets) {
    defs.set(a.key, a)
    graph.addNode(a.key)
  }
  const inputs = new Map<AssetKey, Array<Edge>>()
  const outputs = new Map<AssetKey, Array<Edge>>()
  for (const a of assets) {
    if (a._tag !== "Asset") continue
    for (const [name, d] of Object.entries(a.deps)) {
      const self = d.asset.key === a.key
      const mapping = bindMapping(mappingOf(a, d), { upstream: d.asset.partitions, downstream: a.partitions })
      const edge: Edge = { name, upstream: d.asset.key, downstream: a.key, mapping, self }
      // the graph of assets stays acyclic: a self-dependency orders partitions, not assets
      if (!self) graph.mergeEdge(d.asset.key, a.key)
      push(inputs, a.key, edge)
      push(outputs, d.asset.key, edge)
    }
  }
  const order = topologicalOrder(graph)
  return {
    graph,
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

/** Kahn's algorithm with a sorted ready list, so the order is stable across runs and machines. */
const topologicalOrder = (graph: DirectedGraph): ReadonlyArray<AssetKey> => {
  const indegree = new Map<string, number>()
  graph.forEachNode((n) => indegree.set(n, graph.inDegree(n)))
  let ready = [...indegree].filter(([, d]) => d === 0).map(([n]) => n).sort()
  const order: Array<AssetKey> = []
  while (ready.length > 0) {
    const next: Array<string> = []
    for (const n of ready) {
      order.push(n as AssetKey)
      graph.forEachOutNeighbor(n, (m) => {
        const d = indegree.get(m)! - 1
        indegree.set(m, d)
        if (d === 0) next.push(m)
      })
    }
    ready = next.sort()
  }
  return order
}
