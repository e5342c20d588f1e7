import { get } from "../api.js"
import { $, $$, at, count, esc, seg, when } from "../dom.js"
import { navigate, type View } from "../page.js"
import { assetPath, lineagePath, runPath } from "../router.js"
import type { LineageData, PreviewData } from "../types.js"

type Node = LineageData["nodes"][number]

/** The walk so far: the materializations visited hop by hop, reset when a walk starts elsewhere. */
let trail: Array<Node> = []
let hopping = false

/** how many materializations of one asset a side shows before "more" */
const PAGE = 8

const byAsset = (nodes: ReadonlyArray<Node>) => {
  const groups = new Map<string, Array<Node>>()
  for (const n of [...nodes].sort((a, b) => a.asset.localeCompare(b.asset) || String(a.partition).localeCompare(String(b.partition)))) {
    groups.set(n.asset, [...(groups.get(n.asset) ?? []), n])
  }
  return groups
}

const hop = (n: Node, dir: "up" | "down") =>
  `<button type="button" class="hop hop-${dir}" data-id="${esc(n.id)}" data-asset="${esc(n.asset)}" data-kind="${n.kind}" ${n.kind === "observation" ? "disabled" : ""}>
    <span class="k">${esc(n.partition ?? n.asset)}</span> <span class="small muted">${n.kind === "observation" ? "source observation" : `${count(n.rowCount ?? 0)} rows`} · v ${esc(n.dataVersion.slice(0, 12))}</span></button>`

/** One side of the walk: its materializations grouped by asset, each group paged. */
const side = (nodes: ReadonlyArray<Node>, dir: "up" | "down", empty: string) => {
  const groups = byAsset(nodes)
  if (groups.size === 0) return `<p class="muted">${empty}</p>`
  return [...groups]
    .map(
      ([asset, ns]) => `<div class="hop-group" data-asset="${esc(asset)}">
        <h3><a href="${assetPath(asset)}">${esc(asset)}</a> <span class="small muted">${ns.length > 1 ? `${count(ns.length)} partitions` : ""}</span></h3>
        ${ns.map((n, i) => (i < PAGE ? hop(n, dir) : hop(n, dir).replace("<button", "<button hidden"))).join("")}
        ${ns.length > PAGE ? `<button type="button" class="more small" data-more>${count(ns.length - PAGE)} more</button>` : ""}
      </div>`
    )
    .join("")
}

/** A walk through lineage: one materialization in focus, what it read and what read it one hop away, and its rows. */
export const lineageView = async (root: HTMLElement, id: string): Promise<View> => {
  const [up, down] = await Promise.all([
    get<LineageData>(`/api/materializations/${seg(id)}/lineage?direction=upstream&depth=1`),
    get<LineageData>(`/api/materializations/${seg(id)}/lineage?direction=downstream&depth=1`)
  ])
  const focus = up.nodes.find((n) => n.id === id)!
  document.title = `lineage of ${at(focus.asset, focus.partition)} · assets`
  if (!hopping) trail = []
  hopping = false
  const known = trail.findIndex((n) => n.id === id)
  trail = known >= 0 ? trail.slice(0, known + 1) : [...trail, focus]
  root.innerHTML = `
    <section class="lineage-page">
      <header class="page-head"><h1>Lineage</h1>
        <div class="crumbs">${trail.map((n) => `<button type="button" data-id="${esc(n.id)}">${esc(at(n.asset, n.partition))}</button>`).join(" → ")}</div>
      </header>
      <div class="walk">
        <div class="walk-side"><h2>Read (upstream)</h2>${side(up.nodes.filter((n) => n.depth === 1), "up", "nothing: a source's data")}</div>
        <div class="card focus" id="focus" data-id="${esc(focus.id)}" data-asset="${esc(focus.asset)}" data-partition="${esc(focus.partition ?? "")}">
          <h2><a href="${assetPath(focus.asset)}">${esc(at(focus.asset, focus.partition))}</a></h2>
          <p class="small muted">materialization <code>${esc(focus.id)}</code>${focus.runId ? ` · <a href="${runPath(focus.runId)}">run ${esc(focus.runId)}</a>` : ""} · ${esc(when(focus.at))}<br>data version <code>${esc(focus.dataVersion)}</code> · ${count(focus.rowCount ?? 0)} rows</p>
          <div class="preview scroll" id="preview">loading rows…</div>
        </div>
        <div class="walk-side"><h2>Read by (downstream)</h2>${side(down.nodes.filter((n) => n.depth === 1), "down", "nothing has read it yet")}</div>
      </div>
    </section>`
  for (const b of $$<HTMLButtonElement>(".hop:not([disabled]), .crumbs button", root)) {
    b.addEventListener("click", () => {
      hopping = true
      navigate(lineagePath(b.dataset["id"]!))
    })
  }
  for (const more of $$<HTMLButtonElement>("[data-more]", root)) {
    more.addEventListener("click", () => {
      const hidden = $$<HTMLButtonElement>(".hop[hidden]", more.parentElement!)
      for (const h of hidden.slice(0, PAGE)) h.hidden = false
      const left = hidden.length - PAGE
      if (left > 0) more.textContent = `${count(left)} more`
      else more.remove()
    })
  }
  root.dataset["ready"] = "true"
  const p = await get<PreviewData>(`/api/materializations/${seg(id)}/preview?limit=10`).catch((e: Error) => e)
  if (p instanceof Error) {
    $("#preview", root)!.innerHTML = `<p class="note">${esc(p.message)}</p>`
    return { dispose: () => undefined }
  }
  const cell = (v: unknown) => esc(Array.isArray(v) ? v.join(", ") : v ?? "")
  $("#preview", root)!.innerHTML = `${p.note ? `<p class="note">${esc(p.note)}</p>` : ""}
    <table><tr>${p.columns.map((c) => `<th title="${esc(c.type)}">${esc(c.name)}</th>`).join("")}</tr>${p.rows
      .map((r) => `<tr>${p.columns.map((c) => `<td>${cell(r[c.name])}</td>`).join("")}</tr>`)
      .join("")}</table>`
  return { dispose: () => undefined }
}
