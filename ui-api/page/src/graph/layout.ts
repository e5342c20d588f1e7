import dagre from "@dagrejs/dagre"

/**
 * The asset graph laid out by dagre, left to right, each group a box around its assets. Past FULL_LAYOUT_LIMIT
 * assets a group not expanded is drawn as one box with its counts (as Dagster folds asset groups), so a
 * project of thousands of assets draws at once and each group opens on demand; edges between folded groups are
 * merged into one.
 */
export const NODE_W = 200
export const NODE_H = 44
export const GROUP_W = 220
export const GROUP_H = 58
/** room above a group's assets for its name */
export const BOX_LABEL = 18
export const FULL_LAYOUT_LIMIT = 150

export interface LayoutInput {
  readonly nodes: ReadonlyArray<{ readonly key: string; readonly group: string }>
  readonly edges: ReadonlyArray<{ readonly from: string; readonly to: string }>
}

export interface Placed {
  /** an asset's key, or `group:<name>` for a folded group */
  readonly id: string
  readonly kind: "asset" | "group"
  readonly group: string
  /** top left */
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
}

export interface Box {
  readonly group: string
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
}

export interface LaidEdge {
  readonly from: string
  readonly to: string
  readonly points: ReadonlyArray<{ readonly x: number; readonly y: number }>
}

export interface Layout {
  readonly nodes: ReadonlyArray<Placed>
  readonly boxes: ReadonlyArray<Box>
  readonly edges: ReadonlyArray<LaidEdge>
  readonly width: number
  readonly height: number
}

export const groupId = (group: string) => `group:${group}`
const boxId = (group: string) => `box:${group}`

/** The groups drawn folded: none while the graph is small, else every group not expanded. */
export const foldedGroups = (input: LayoutInput, expanded: ReadonlySet<string>): ReadonlySet<string> => {
  if (input.nodes.length <= FULL_LAYOUT_LIMIT) return new Set()
  return new Set(input.nodes.map((n) => n.group).filter((g) => !expanded.has(g)))
}

/** Where an asset is drawn: itself, or its folded group. */
export const drawnAs = (group: string, key: string, folded: ReadonlySet<string>) => (folded.has(group) ? groupId(group) : key)

export const layoutGraph = (input: LayoutInput, folded: ReadonlySet<string>): Layout => {
  const g = new dagre.graphlib.Graph({ compound: true })
  g.setGraph({ rankdir: "LR", nodesep: 30, ranksep: 80, marginx: 24, marginy: 24 + BOX_LABEL })
  g.setDefaultEdgeLabel(() => ({}))
  const groupOf = new Map(input.nodes.map((n) => [n.key, n.group]))
  for (const n of input.nodes) {
    if (folded.has(n.group)) {
      g.setNode(groupId(n.group), { width: GROUP_W, height: GROUP_H })
      continue
    }
    if (!g.hasNode(boxId(n.group))) g.setNode(boxId(n.group), {})
    g.setNode(n.key, { width: NODE_W, height: NODE_H })
    g.setParent(n.key, boxId(n.group))
  }
  for (const e of input.edges) {
    const from = drawnAs(groupOf.get(e.from) ?? "", e.from, folded)
    const to = drawnAs(groupOf.get(e.to) ?? "", e.to, folded)
    if (from !== to && g.hasNode(from) && g.hasNode(to)) g.setEdge(from, to)
  }
  dagre.layout(g)
  const nodes: Array<Placed> = []
  const boxes: Array<Box> = []
  for (const id of g.nodes()) {
    const n = g.node(id)
    if (id.startsWith("box:")) {
      boxes.push({ group: id.slice(4), x: n.x - n.width / 2, y: n.y - n.height / 2 - BOX_LABEL, w: n.width, h: n.height + BOX_LABEL })
      continue
    }
    const group = id.startsWith("group:") ? id.slice(6) : groupOf.get(id)!
    nodes.push({ id, kind: id.startsWith("group:") ? "group" : "asset", group, x: n.x - n.width / 2, y: n.y - n.height / 2, w: n.width, h: n.height })
  }
  const edges = g.edges().map((e: { v: string; w: string }) => ({ from: e.v, to: e.w, points: g.edge(e).points ?? [] }))
  const graph = g.graph()
  return { nodes, boxes, edges, width: graph.width ?? 0, height: graph.height ?? 0 }
}

/** An edge's points as a smooth SVG path (a curve through the midpoints, ending on the last point). */
export const edgePath = (points: ReadonlyArray<{ readonly x: number; readonly y: number }>): string => {
  if (points.length === 0) return ""
  const [first, ...rest] = points
  if (rest.length === 0) return `M${first!.x},${first!.y}`
  let d = `M${first!.x.toFixed(1)},${first!.y.toFixed(1)}`
  for (let i = 0; i < rest.length - 1; i++) {
    const p = rest[i]!
    const q = rest[i + 1]!
    d += ` Q${p.x.toFixed(1)},${p.y.toFixed(1)} ${((p.x + q.x) / 2).toFixed(1)},${((p.y + q.y) / 2).toFixed(1)}`
  }
  const last = rest[rest.length - 1]!
  return `${d} L${last.x.toFixed(1)},${last.y.toFixed(1)}`
}
