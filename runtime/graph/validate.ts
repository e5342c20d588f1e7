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
 */
const cycles = (byKey: ReadonlyMap<string, AnyAssetDef>): ReadonlyArray<ReadonlyArray<string>> => {
  const readers = new Map<string, Set<string>>([...byKey.keys()].map((k) => [k, new Set<string>()]))
  for (const a of byKey.values()) {
    if (a._tag !== "Asset") continue
    // a self-dependency on earlier partitions is no cycle (validate checks its mapping)
    for (const d of Object.values(a.deps)) if (d.asset !== a) readers.get(d.asset.key)?.add(a.key)
  }
  const adjacency = new Map([...readers].map(([k, rs]) => [k, [...rs].sort()] as const))
  let index = 0
  const idx = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const onStack = new Set<string>()
  const components: Array<Array<string>> = []
  const strong = (root: string) => {
    // each frame: a vertex and how many of its successors it has visited
    const frames: Array<{ v: string; next: number }> = [{ v: root, next: 0 }]
    idx.set(root, index)
    low.set(root, index++)
    stack.push(root)
    onStack.add(root)
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!
      const { v } = frame
      const succ = adjacency.get(v) ?? []
      if (frame.next < succ.length) {
        const w = succ[frame.next++]!
        if (!idx.has(w)) {
          idx.set(w, index)
          low.set(w, index++)
          stack.push(w)
          onStack.add(w)
          frames.push({ v: w, next: 0 })
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!))
        continue
      }
      frames.pop()
      const parent = frames[frames.length - 1]
      if (parent !== undefined) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(v)!))
      if (low.get(v) === idx.get(v)) {
        const comp: Array<string> = []
        let w: string
        do {
          w = stack.pop()!
          onStack.delete(w)
          comp.push(w)
        } while (w !== v)
        const selfLoop = comp.length === 1 && succ.includes(v)
        if (comp.length > 1 || selfLoop) components.push(comp)
      }
    }
  }
  for (const k of [...byKey.keys()].sort()) if (!idx.has(k)) strong(k)

  return components.map((comp) => {
    const inComp = new Set(comp)
    const start = [...comp].sort()[0]!
    // shortest path inside the component from start back to start
    const prev = new Map<string, string>()
    const queue = [start]
    const seen = new Set([start])
    while (queue.length > 0) {
      const v = queue.shift()!
      for (const w of adjacency.get(v) ?? []) {
        if (!inComp.has(w)) continue
        if (w === start) {
          const chain = [v]
          while (chain[0] !== start) chain.unshift(prev.get(chain[0]!)!)
          return [...chain, start]
        }
        if (!seen.has(w)) {
          seen.add(w)
          prev.set(w, v)
          queue.push(w)
        }
      }
    }
    return [start, start]
  }).sort((a, b) => a[0]!.localeCompare(b[0]!))
}
