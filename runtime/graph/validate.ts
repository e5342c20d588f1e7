import { Data } from "effect"
import type { AnyAssetDef } from "../asset/Asset.js"
import { defaultMapping } from "../partitions/mappings/defaultMapping.js"

export class GraphInvalid extends Data.TaggedError("GraphInvalid")<{ readonly problems: ReadonlyArray<string> }> {
  override get message() {
    return `the asset graph is invalid (${this.problems.length} problem${this.problems.length === 1 ? "" : "s"}):\n${this.problems
      .map((p) => `  - ${p}`)
      .join("\n")}`
  }
}

/** Every problem in one pass: duplicate keys, unknown inputs, mappings that cannot work, and each cycle as its chain. */
export const validate = (assets: ReadonlyArray<AnyAssetDef>): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const byKey = new Map<string, AnyAssetDef>()
  for (const a of assets) {
    const prev = byKey.get(a.key)
    if (prev !== undefined && prev !== a) problems.push(`duplicate asset key '${a.key}': two definitions use it`)
    byKey.set(a.key, a)
  }
  for (const a of byKey.values()) {
    if (a._tag !== "Asset") continue
    for (const [name, d] of Object.entries(a.deps)) {
      const up = byKey.get(d.asset.key)
      if (up === undefined) {
        problems.push(`'${a.key}' reads '${d.asset.key}' (input '${name}'), which is not in the project: add it to the project's assets`)
        continue
      }
      const mapping = d.mapping ?? defaultMapping(up.partitions, a.partitions)
      const misfit = mapping.check({ upstream: up.partitions, downstream: a.partitions })
      if (misfit !== undefined) {
        problems.push(
          `'${a.key}' input '${name}' from '${up.key}': ${misfit} (upstream ${up.partitions?.describe ?? "unpartitioned"}, downstream ${
            a.partitions?.describe ?? "unpartitioned"
          })`
        )
      } else if (up === a && mapping.readsOnlyEarlier !== true) {
        problems.push(
          `'${a.key}' input '${name}' reads '${a.key}' itself: a self-dependency must read only earlier partitions, e.g. timeWindow({ startOffset: -1, endOffset: -1 })`
        )
      }
    }
  }
  for (const cycle of cycles(byKey)) problems.push(`cycle: ${cycle.join(" -> ")}`)
  return problems
}

/**
 * One cycle per strongly connected component (Tarjan, iterative so a deep chain cannot overflow the stack), written
 * from its smallest key back to itself. Linear in assets and edges: each asset's readers are collected in one pass.
 * Assets are numbered in key order and the work is done on the numbers (every command validates its project at
 * its start; string maps made this most of validating 10,000 assets, bench/runtime.ts).
 */
const cycles = (byKey: ReadonlyMap<string, AnyAssetDef>): ReadonlyArray<ReadonlyArray<string>> => {
  const keys = [...byKey.keys()].sort()
  const id = new Map(keys.map((k, i) => [k, i]))
  // readers of each asset, in key order
  const adjacency: Array<Array<number>> = keys.map(() => [])
  for (const a of byKey.values()) {
    if (a._tag !== "Asset") continue
    const reader = id.get(a.key)!
    // a self-dependency on earlier partitions is no cycle (validate checks its mapping)
    for (const d of Object.values(a.deps)) {
      const read = id.get(d.asset.key)
      if (d.asset !== a && read !== undefined) adjacency[read]!.push(reader)
    }
  }
  for (const succ of adjacency) succ.sort((x, y) => x - y)
  let index = 0
  const idx = new Int32Array(keys.length).fill(-1)
  const low = new Int32Array(keys.length)
  const stack: Array<number> = []
  const onStack = new Uint8Array(keys.length)
  const components: Array<Array<number>> = []
  // the depth-first path: each vertex and how many of its successors it has visited
  const path: Array<number> = []
  const visited: Array<number> = []
  const strong = (root: number) => {
    path.push(root)
    visited.push(0)
    idx[root] = low[root] = index++
    stack.push(root)
    onStack[root] = 1
    while (path.length > 0) {
      const top = path.length - 1
      const v = path[top]!
      const succ = adjacency[v]!
      if (visited[top]! < succ.length) {
        const w = succ[visited[top]!++]!
        if (idx[w] === -1) {
          idx[w] = low[w] = index++
          stack.push(w)
          onStack[w] = 1
          path.push(w)
          visited.push(0)
        } else if (onStack[w] === 1) low[v] = Math.min(low[v]!, idx[w]!)
        continue
      }
      path.pop()
      visited.pop()
      if (path.length > 0) {
        const parent = path[path.length - 1]!
        low[parent] = Math.min(low[parent]!, low[v]!)
      }
      if (low[v] === idx[v]) {
        const comp: Array<number> = []
        let w: number
        do {
          w = stack.pop()!
          onStack[w] = 0
          comp.push(w)
        } while (w !== v)
        const selfLoop = comp.length === 1 && succ.includes(v)
        if (comp.length > 1 || selfLoop) components.push(comp)
      }
    }
  }
  for (let k = 0; k < keys.length; k++) if (idx[k] === -1) strong(k)

  return components
    .map((comp) => {
      const inComp = new Set(comp)
      // numbers are in key order: the smallest is the smallest key (a loop: a component can hold every asset)
      const start = comp.reduce((a, b) => (b < a ? b : a))
      // shortest path inside the component from start back to start
      const prev = new Map<number, number>()
      const queue = [start]
      const seen = new Set([start])
      for (let q = 0; q < queue.length; q++) {
        const v = queue[q]!
        for (const w of adjacency[v]!) {
          if (!inComp.has(w)) continue
          if (w === start) {
            // walked back from v to start, then turned around (unshift would make a long cycle quadratic)
            const back = [v]
            while (back[back.length - 1] !== start) back.push(prev.get(back[back.length - 1]!)!)
            return [...back.reverse(), start].map((n) => keys[n]!)
          }
          if (!seen.has(w)) {
            seen.add(w)
            prev.set(w, v)
            queue.push(w)
          }
        }
      }
      return [keys[start]!, keys[start]!]
    })
    .sort((a, b) => a[0]!.localeCompare(b[0]!))
}
