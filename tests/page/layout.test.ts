import { describe, expect, it } from "vitest"
import { drawnAs, edgePath, foldedGroups, FULL_LAYOUT_LIMIT, groupId, layoutGraph, type LayoutInput } from "../../ui-api/page/src/graph/layout.js"

/** a chain per group, each group reading the one before */
const graph = (groups: number, perGroup: number): LayoutInput => {
  const nodes = Array.from({ length: groups * perGroup }, (_, i) => ({ key: `a${i}`, group: `g${Math.floor(i / perGroup)}` }))
  const edges = nodes.slice(1).map((n, i) => ({ from: nodes[i]!.key, to: n.key }))
  return { nodes, edges }
}

const inside = (n: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }) =>
  n.x >= b.x - 0.5 && n.y >= b.y - 0.5 && n.x + n.w <= b.x + b.w + 0.5 && n.y + n.h <= b.y + b.h + 0.5

describe("the graph's layout (dagre)", () => {
  it("places every asset of a small graph, each inside its group's box, edges from left to right", () => {
    const input = graph(3, 4)
    const folded = foldedGroups(input, new Set())
    expect(folded.size).toBe(0)
    const layout = layoutGraph(input, folded)
    expect(layout.nodes.map((n) => n.id).sort()).toEqual(input.nodes.map((n) => n.key).sort())
    expect(layout.boxes.map((b) => b.group).sort()).toEqual(["g0", "g1", "g2"])
    for (const n of layout.nodes) expect(inside(n, layout.boxes.find((b) => b.group === n.group)!), n.id).toBe(true)
    const at = new Map(layout.nodes.map((n) => [n.id, n]))
    for (const e of layout.edges) {
      expect(at.get(e.from)!.x).toBeLessThan(at.get(e.to)!.x)
      expect(e.points.length).toBeGreaterThanOrEqual(2)
      expect(edgePath(e.points)).toMatch(/^M[\d.-]+,[\d.-]+ .*L[\d.-]+,[\d.-]+$/)
    }
    // no two assets overlap
    for (const a of layout.nodes) for (const b of layout.nodes) if (a !== b) expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y).toBe(true)
    expect(layout.width).toBeGreaterThan(0)
  })

  it("past the limit, folds every group not opened into one box, edges merged between them", () => {
    const input = graph(10, 30)
    expect(input.nodes.length).toBeGreaterThan(FULL_LAYOUT_LIMIT)
    const folded = foldedGroups(input, new Set())
    expect(folded.size).toBe(10)
    const layout = layoutGraph(input, folded)
    expect(layout.nodes.map((n) => n.id).sort()).toEqual([...folded].map(groupId).sort())
    expect(layout.edges.length).toBe(9)
    expect(drawnAs("g3", "a95", folded)).toBe("group:g3")

    const opened = foldedGroups(input, new Set(["g3"]))
    const partly = layoutGraph(input, opened)
    expect(partly.nodes.filter((n) => n.kind === "asset").map((n) => n.id).sort()).toEqual(input.nodes.filter((n) => n.group === "g3").map((n) => n.key).sort())
    expect(partly.boxes.map((b) => b.group)).toEqual(["g3"])
    // the opened group's first asset reads the folded group before it
    expect(partly.edges.some((e) => e.from === "group:g2" && e.to === "a90")).toBe(true)
  })
})
