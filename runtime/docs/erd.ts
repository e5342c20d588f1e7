import dagre from "@dagrejs/dagre"
import type { AnyAssetDef } from "../asset/Asset.js"
import { typeName } from "../asset/ddl.js"
import { keysOf } from "../asset/keys.js"

/** One table of the diagram: an asset's columns with their key roles. */
export interface ErdTable {
  readonly name: string
  readonly kind: "table" | "view"
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string; readonly key: "PK" | "FK" | "PK FK" | "" }>
}

/** A foreign key: `from.column` refers to `to.toColumn`. */
export interface ErdRelation {
  readonly from: string
  readonly column: string
  readonly to: string
  readonly toColumn: string
}

export interface Erd {
  readonly tables: ReadonlyArray<ErdTable>
  readonly relations: ReadonlyArray<ErdRelation>
}

/**
 * The entity-relation model of a project's assets, from their schemas: each asset a table (a view drawn as one),
 * its primary key the columns marked `primaryKey(...)` or a merge asset's key, its foreign keys the columns marked
 * `references(...)` to an asset in the selection. Sources have no declared columns and are left out.
 */
export const erdOf = (assets: ReadonlyArray<AnyAssetDef>): Erd => {
  const tables: Array<ErdTable> = []
  const relations: Array<ErdRelation> = []
  const present = new Set(assets.filter((a) => a._tag === "Asset").map((a) => a.key as string))
  for (const a of assets) {
    if (a._tag !== "Asset") continue
    const keys = keysOf(a.schema)
    const merged = new Set(a.incremental?.key ?? [])
    tables.push({
      name: a.key,
      kind: a.materialization === "view" ? "view" : "table",
      columns: a.columns.map((c) => {
        const role = keys.get(c.name)
        const pk = role?.primary === true || merged.has(c.name)
        const ref = role?.references
        const fk = ref !== undefined && present.has(ref.asset)
        if (ref !== undefined && fk) relations.push({ from: a.key, column: c.name, to: ref.asset, toColumn: ref.column ?? c.name })
        return { name: c.name, type: typeName(c.type, "duckdb").toLowerCase(), key: pk && fk ? "PK FK" : pk ? "PK" : fk ? "FK" : "" }
      })
    })
  }
  return { tables, relations }
}

const ROW = 18
const HEAD = 24
const CHAR = 7.2
const esc = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;")

/**
 * The diagram as an SVG document: tables as boxes (key columns first-marked, a view's box dashed), each foreign key
 * an edge from its column to the referenced table, laid out by dagre left to right (referencing tables left of the
 * ones they refer to, as a star schema's facts sit beside their dimensions).
 */
export const erdSvg = (erd: Erd, title: string): string => {
  const g = new dagre.graphlib.Graph({ multigraph: true })
  g.setGraph({ rankdir: "LR", nodesep: 30, ranksep: 90, marginx: 20, marginy: 40 })
  g.setDefaultEdgeLabel(() => ({}))
  const widths = new Map<string, number>()
  for (const t of erd.tables) {
    const longest = Math.max(t.name.length + 6, ...t.columns.map((c) => c.name.length + c.type.length + 8))
    const w = Math.ceil(longest * CHAR) + 16
    widths.set(t.name, w)
    g.setNode(t.name, { width: w, height: HEAD + t.columns.length * ROW + 6 })
  }
  erd.relations.forEach((r, i) => g.setEdge(r.from, r.to, {}, `r${i}`))
  dagre.layout(g)
  const graph = g.graph()
  const width = Math.ceil((graph.width ?? 0) + 40)
  const height = Math.ceil((graph.height ?? 0) + 60)
  const out: Array<string> = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace, Menlo, Consolas, monospace" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<defs><marker id="one" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>`,
    `<text x="20" y="24" font-size="15" font-weight="bold">${esc(title)}</text>`
  ]
  const box = (name: string) => {
    const n = g.node(name)
    return { x: n.x - n.width / 2, y: n.y - n.height / 2 + 20, w: n.width, h: n.height }
  }
  erd.relations.forEach((r) => {
    const from = box(r.from)
    const to = box(r.to)
    const fromTable = erd.tables.find((t) => t.name === r.from)!
    const toTable = erd.tables.find((t) => t.name === r.to)!
    const rowY = (b: { y: number }, t: ErdTable, column: string) => b.y + HEAD + Math.max(0, t.columns.findIndex((c) => c.name === column)) * ROW + ROW / 2 + 3
    const leftToRight = from.x + from.w <= to.x
    const x1 = leftToRight ? from.x + from.w : from.x
    const x2 = leftToRight ? to.x : to.x + to.w
    const y1 = rowY(from, fromTable, r.column)
    const y2 = rowY(to, toTable, r.toColumn)
    const mid = (x1 + x2) / 2
    out.push(
      `<path class="relation" data-from="${esc(`${r.from}.${r.column}`)}" data-to="${esc(`${r.to}.${r.toColumn}`)}" d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}" fill="none" stroke="#555" stroke-width="1.2" marker-end="url(#one)"/>`
    )
  })
  for (const t of erd.tables) {
    const b = box(t.name)
    out.push(`<g class="${t.kind}" data-name="${esc(t.name)}">`)
    out.push(
      `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="4" fill="#fff" stroke="#333"${t.kind === "view" ? ' stroke-dasharray="5,3"' : ""}/>`,
      `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${HEAD}" rx="4" fill="${t.kind === "view" ? "#e8f0e0" : "#dde6f3"}" stroke="#333"/>`,
      `<text x="${b.x + 8}" y="${b.y + 16}" font-weight="bold">${esc(t.name)}${t.kind === "view" ? " (view)" : ""}</text>`
    )
    t.columns.forEach((c, i) => {
      const y = b.y + HEAD + i * ROW + 14
      out.push(
        `<text class="column" x="${b.x + 8}" y="${y}"${c.key.includes("PK") ? ' font-weight="bold"' : ""}>${c.key === "" ? "" : `<tspan fill="#a33">${esc(c.key)} </tspan>`}${esc(c.name)}</text>`,
        `<text x="${b.x + b.w - 8}" y="${y}" text-anchor="end" fill="#666">${esc(c.type)}</text>`
      )
    })
    out.push("</g>")
  }
  out.push("</svg>")
  return `${out.join("\n")}\n`
}
