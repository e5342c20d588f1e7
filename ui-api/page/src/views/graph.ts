import { ApiError, get } from "../api.js"
import { $, $$, esc } from "../dom.js"
import { BOX_LABEL, drawnAs, edgePath, foldedGroups, layoutGraph, type Layout } from "../graph/layout.js"
import { centreOn, fit, toSvg, zoomAt, type Transform } from "../graph/zoom.js"
import { live } from "../live.js"
import { followRun } from "../runs.js"
import { guard, navigate, showError, throttle, type View } from "../page.js"
import { assetPath } from "../router.js"
import { graphData, onSearch } from "../search.js"
import type { AssetSummary, GraphData, Selection } from "../types.js"

const worst = ["RUNNING", "FAILED", "MISSING", "STALE", "FRESH"] as const

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)

/** What a node says under its key: how many partitions are fresh, or its status. */
const subtitle = (a: AssetSummary | undefined, running: boolean) => {
  if (a === undefined) return ""
  if (a.kind === "source") return a.partitioned ? `source · ${a.counts.FRESH + a.counts.STALE + a.counts.MISSING} partitions` : "source"
  if (running) return "running…"
  if (!a.partitioned) return a.status.toLowerCase()
  const total = a.counts.FRESH + a.counts.STALE + a.counts.MISSING + (a.counts.FAILED ?? 0)
  return `${a.counts.FRESH}/${total} fresh${a.counts.FAILED ? ` · ${a.counts.FAILED} failed` : ""}`
}

/**
 * The asset graph: laid out by dagre, groups as boxes (folded past a size), zoom and pan, search highlights,
 * a selection box in the CLI's syntax; colours follow the live state (RUNNING while a runner holds an asset).
 */
export const graphView = async (root: HTMLElement): Promise<View> => {
  root.innerHTML = `
    <section class="graph-page">
      <div class="toolbar">
        <form id="selection-form" class="selection">
          <input id="selection" name="selection" placeholder="selection, as the CLI takes it: +key, key+, 2+key, a,b" autocomplete="off" spellcheck="false">
          <button type="submit">Select</button>
          <button type="button" id="clear-selection" hidden>Clear</button>
          <button type="button" id="materialize-selection" class="primary" hidden>Materialize</button>
          <span id="selection-info" class="small muted"></span>
        </form>
        <div class="zoom" role="group" aria-label="zoom">
          <button type="button" id="zoom-out" title="zoom out">−</button>
          <button type="button" id="zoom-fit" title="fit the graph in view">Fit</button>
          <button type="button" id="zoom-in" title="zoom in">+</button>
        </div>
      </div>
      <div id="graph-pane"><svg id="graph" role="img" aria-label="asset graph"><g id="viewport"></g></svg></div>
      <p id="graph-note" class="small muted"></p>
    </section>`
  const svg = $<SVGSVGElement>("#graph", root)!
  const viewport = $<SVGGElement>("#viewport", root)!
  const pane = $("#graph-pane", root)!
  const firstStatus = get<{ assets: ReadonlyArray<AssetSummary> }>("/api/assets")
  firstStatus.catch(() => undefined)
  const graph: GraphData = await graphData()
  let assets = new Map<string, AssetSummary>()
  const groupOf = new Map(graph.nodes.map((n) => [n.key, n.group]))
  const expanded = new Set<string>()
  let folded: ReadonlySet<string> = new Set()
  let layout: Layout | undefined
  let transform: Transform = { x: 0, y: 0, k: 1 }
  let selected: ReadonlySet<string> | undefined
  let matches: ReadonlySet<string> | undefined
  let selectionText = ""

  const view = () => ({ width: pane.clientWidth, height: pane.clientHeight })
  const apply = () => viewport.setAttribute("transform", toSvg(transform))

  const statusOf = (key: string): string => {
    if (live.isRunning(key)) return "RUNNING"
    const a = assets.get(key)
    return a === undefined ? "MISSING" : a.kind === "source" ? "SOURCE" : a.status
  }
  const groupStatus = (group: string) => {
    const keys = graph.nodes.filter((n) => n.group === group && n.kind === "asset").map((n) => statusOf(n.key))
    return worst.find((w) => keys.includes(w)) ?? "FRESH"
  }

  /** Lays the graph out again (the set of folded groups changed) and draws it. */
  const draw = () => {
    folded = foldedGroups({ nodes: graph.nodes, edges: graph.edges }, expanded)
    layout = layoutGraph({ nodes: graph.nodes, edges: graph.edges }, folded)
    const members = new Map<string, number>()
    for (const n of graph.nodes) members.set(n.group, (members.get(n.group) ?? 0) + 1)
    const boxes = layout.boxes.map(
      (b) => `<g class="group-box" data-group="${esc(b.group)}">
        <rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="8"></rect>
        <text x="${b.x + 8}" y="${b.y + BOX_LABEL - 5}">${esc(b.group)}</text>
        ${folded.size > 0 || expanded.has(b.group) ? `<text class="fold" data-fold="${esc(b.group)}" x="${b.x + b.w - 8}" y="${b.y + BOX_LABEL - 5}" text-anchor="end">fold ▴</text>` : ""}
      </g>`
    )
    const edges = layout.edges.map((e) => `<path class="edge" data-from="${esc(e.from)}" data-to="${esc(e.to)}" d="${edgePath(e.points)}" marker-end="url(#arrow)"></path>`)
    const nodes = layout.nodes.map((n) =>
      n.kind === "group"
        ? `<g class="node folded" data-group="${esc(n.group)}" transform="translate(${n.x},${n.y})" tabindex="0">
            <rect width="${n.w}" height="${n.h}" rx="8"></rect>
            <text x="12" y="20">${esc(clip(n.group, 26))} ▾</text><text class="sub" x="12" y="40">${members.get(n.group)} assets</text>
            <title>group ${esc(n.group)}: click to open</title></g>`
        : `<g class="node" data-asset="${esc(n.id)}" transform="translate(${n.x},${n.y})" tabindex="0">
            <rect width="${n.w}" height="${n.h}" rx="6"></rect>
            <text x="10" y="18">${esc(clip(n.id, 28))}</text><text class="sub" x="10" y="34"></text>
            <title>${esc(n.id)}${graph.nodes.find((g) => g.key === n.id)?.description ? `: ${esc(graph.nodes.find((g) => g.key === n.id)!.description)}` : ""}</title></g>`
    )
    viewport.innerHTML = `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"></path></marker></defs>${boxes.join("")}${edges.join("")}${nodes.join("")}`
    $("#graph-note", root)!.textContent =
      folded.size > 0 ? `${graph.nodes.length} assets in ${members.size} groups: a group opens on a click, and search or a selection opens the groups it finds.` : ""
    recolour()
  }

  /** Colours and counts from the assets' status and the live state, without laying out again. */
  const recolour = () => {
    for (const g of $$<SVGGElement>(".node[data-asset]", viewport)) {
      const key = g.dataset["asset"]!
      const status = statusOf(key)
      g.dataset["status"] = status
      g.setAttribute("class", `node ${status}${matches?.has(key) ? " match" : ""}${selected?.has(key) ? " in-selection" : ""}`)
      $("text.sub", g)!.textContent = subtitle(assets.get(key), status === "RUNNING")
    }
    for (const g of $$<SVGGElement>(".node[data-group]", viewport)) {
      const group = g.dataset["group"]!
      const status = groupStatus(group)
      g.dataset["status"] = status
      const hit = [...(matches ?? []), ...(selected ?? [])].some((k) => groupOf.get(k) === group)
      g.setAttribute("class", `node folded ${status}${hit ? " match" : ""}`)
    }
    svg.classList.toggle("dimmed", matches !== undefined || selected !== undefined)
    const busy = selected !== undefined && [...selected].some((k) => live.isRunning(k))
    const button = $<HTMLButtonElement>("#materialize-selection", root)!
    button.disabled = busy
    button.textContent = busy ? "Running…" : "Materialize"
  }

  /** Opens the folded groups holding these keys; true when the layout changed. */
  const open = (keys: Iterable<string>) => {
    let changed = false
    for (const k of keys) {
      const g = groupOf.get(k)
      if (g !== undefined && folded.has(g) && !expanded.has(g)) {
        expanded.add(g)
        changed = true
      }
    }
    if (changed) draw()
    return changed
  }

  const focusOn = (key: string) => {
    const n = layout?.nodes.find((p) => p.id === drawnAs(groupOf.get(key) ?? "", key, folded))
    if (n === undefined) return
    transform = centreOn(n.x + n.w / 2, n.y + n.h / 2, view(), Math.max(transform.k, 0.8))
    apply()
  }

  const loadStatus = async (prefetched?: Promise<{ assets: ReadonlyArray<AssetSummary> }>) => {
    assets = new Map((await (prefetched ?? get<{ assets: ReadonlyArray<AssetSummary> }>("/api/assets"))).assets.map((a) => [a.key, a]))
    recolour()
  }

  draw()
  transform = fit(layout!, view())
  apply()
  await loadStatus(firstStatus)

  // ---- interactions
  viewport.addEventListener("click", (ev) => {
    const target = ev.target as Element
    const fold = target.closest<SVGElement>("[data-fold]")
    if (fold) {
      expanded.delete(fold.dataset["fold"]!)
      return draw()
    }
    const node = target.closest<SVGGElement>(".node")
    if (node?.dataset["asset"]) return navigate(assetPath(node.dataset["asset"]))
    if (node?.dataset["group"]) {
      expanded.add(node.dataset["group"])
      draw()
    }
  })
  viewport.addEventListener("keydown", (ev) => {
    const node = (ev.target as Element).closest<SVGGElement>(".node[data-asset]")
    if (node && ev.key === "Enter") navigate(assetPath(node.dataset["asset"]!))
  })
  svg.addEventListener(
    "wheel",
    (ev) => {
      ev.preventDefault()
      const r = svg.getBoundingClientRect()
      transform = zoomAt(transform, Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top)
      apply()
    },
    { passive: false }
  )
  let drag: { x: number; y: number; t: Transform } | undefined
  svg.addEventListener("pointerdown", (ev) => {
    if ((ev.target as Element).closest(".node, [data-fold]")) return
    drag = { x: ev.clientX, y: ev.clientY, t: transform }
    svg.setPointerCapture(ev.pointerId)
    svg.classList.add("panning")
  })
  svg.addEventListener("pointermove", (ev) => {
    if (drag === undefined) return
    transform = { ...drag.t, x: drag.t.x + ev.clientX - drag.x, y: drag.t.y + ev.clientY - drag.y }
    apply()
  })
  const endDrag = () => {
    drag = undefined
    svg.classList.remove("panning")
  }
  svg.addEventListener("pointerup", endDrag)
  svg.addEventListener("pointercancel", endDrag)
  const zoomBy = (factor: number) => {
    const v = view()
    transform = zoomAt(transform, factor, v.width / 2, v.height / 2)
    apply()
  }
  $("#zoom-in", root)!.addEventListener("click", () => zoomBy(1.25))
  $("#zoom-out", root)!.addEventListener("click", () => zoomBy(0.8))
  $("#zoom-fit", root)!.addEventListener("click", () => {
    transform = fit(layout!, view())
    apply()
  })

  const stopSearch = onSearch((text, commit) => {
    const q = text.trim().toLowerCase()
    matches = q === "" ? undefined : new Set(graph.nodes.filter((n) => n.key.toLowerCase().includes(q)).map((n) => n.key))
    if (matches !== undefined && matches.size > 0 && matches.size <= 50) open(matches)
    recolour()
    const first = matches === undefined ? undefined : [...matches][0]
    if (first !== undefined && commit) focusOn(first)
  })

  const info = $("#selection-info", root)!
  const select = async (text: string) => {
    selectionText = text.trim()
    if (selectionText === "") {
      selected = undefined
      info.textContent = ""
    } else {
      try {
        const r = await get<Selection>(`/api/selection?selection=${encodeURIComponent(selectionText)}`)
        selected = new Set(r.keys)
        info.textContent = `${r.keys.length} asset${r.keys.length === 1 ? "" : "s"} selected`
        info.classList.remove("problem")
        open(r.keys)
      } catch (e) {
        selected = undefined
        info.textContent = e instanceof ApiError ? e.message : String(e)
        info.classList.add("problem")
      }
    }
    $("#clear-selection", root)!.hidden = selected === undefined
    $("#materialize-selection", root)!.hidden = selected === undefined
    recolour()
  }
  $("#selection-form", root)!.addEventListener(
    "submit",
    guard(async (ev: Event) => {
      ev.preventDefault()
      await select($<HTMLInputElement>("#selection", root)!.value)
    })
  )
  $("#clear-selection", root)!.addEventListener(
    "click",
    guard(async () => {
      $<HTMLInputElement>("#selection", root)!.value = ""
      await select("")
    })
  )
  $("#materialize-selection", root)!.addEventListener(
    "click",
    guard(async () => {
      if (selected === undefined) return
      const keys = [...selected].filter((k) => assets.get(k)?.kind === "asset")
      await followRun({ selection: selectionText }, keys.map((asset) => ({ asset, from: null, to: null })))
    })
  )

  const refresh = throttle(() => void loadStatus().catch(showError), 1000)
  let version = live.state.version
  let running = JSON.stringify(live.state.running)
  const stopLive = live.subscribe((state) => {
    recolour()
    const nowRunning = JSON.stringify(state.running)
    if (state.version !== version || nowRunning !== running) {
      version = state.version
      running = nowRunning
      refresh()
    }
  })
  const onResize = () => apply()
  window.addEventListener("resize", onResize)
  root.dataset["ready"] = "true"
  return {
    dispose: () => {
      stopLive()
      stopSearch()
      window.removeEventListener("resize", onResize)
    }
  }
}

