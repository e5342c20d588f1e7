import { get } from "./api.js"
import { $, esc } from "./dom.js"
import { navigate } from "./page.js"
import { assetPath } from "./router.js"
import type { GraphData } from "./types.js"

/** The graph (keys, groups, edges) does not change while the server runs: read once. */
let graph: Promise<GraphData> | undefined
export const graphData = (): Promise<GraphData> => (graph ??= get<GraphData>("/api/graph"))

type Listener = (text: string, commit: boolean) => void
const listeners = new Set<Listener>()

/** The graph view listens to what is typed in the search box (and to Enter). */
export const onSearch = (listener: Listener): (() => void) => {
  listeners.add(listener)
  const input = document.getElementById("search") as HTMLInputElement | null
  if (input && input.value) listener(input.value, false)
  return () => void listeners.delete(listener)
}

const MAX = 12

/** The header's search box: keys containing the text, as links to their pages; Enter opens the first. */
export const setupSearch = () => {
  const input = $<HTMLInputElement>("#search")!
  const results = $("#search-results")!
  let found: ReadonlyArray<string> = []
  const show = async () => {
    const q = input.value.trim().toLowerCase()
    for (const l of listeners) l(input.value, false)
    if (q === "") {
      results.hidden = true
      return
    }
    const { nodes } = await graphData()
    const hits = nodes.filter((n) => n.key.toLowerCase().includes(q))
    // keys that start with the text first
    hits.sort((a, b) => Number(!a.key.toLowerCase().startsWith(q)) - Number(!b.key.toLowerCase().startsWith(q)) || a.key.localeCompare(b.key))
    found = hits.map((n) => n.key)
    results.innerHTML =
      hits.length === 0
        ? `<li class="muted">no asset key contains “${esc(input.value.trim())}”</li>`
        : hits
            .slice(0, MAX)
            .map((n) => `<li><a href="${assetPath(n.key)}" data-key="${esc(n.key)}">${esc(n.key)}</a> <span class="small muted">${esc(n.group)}</span></li>`)
            .join("") + (hits.length > MAX ? `<li class="small muted">and ${hits.length - MAX} more</li>` : "")
    results.hidden = false
  }
  input.addEventListener("input", () => void show())
  input.addEventListener("focus", () => void show())
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      results.hidden = true
      input.blur()
    }
    if (ev.key === "Enter" && found.length > 0) {
      for (const l of listeners) l(input.value, true)
      results.hidden = true
      if (listeners.size === 0 || found.length === 1) navigate(assetPath(found[0]!))
    }
  })
  document.addEventListener("click", (ev) => {
    if (!(ev.target as Element).closest(".search")) results.hidden = true
  })
  results.addEventListener("click", (ev) => {
    if ((ev.target as Element).closest("a")) results.hidden = true
  })
}
