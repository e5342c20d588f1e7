import { get, token } from "./api.js"
import { $, esc } from "./dom.js"
import { connectLive, live } from "./live.js"
import { setNavigate, showError, type View } from "./page.js"
import { parseRoute, type Route } from "./router.js"
import { setupSearch } from "./search.js"
import { assetView } from "./views/asset.js"
import { backfillsView, backfillView } from "./views/backfills.js"
import { graphView } from "./views/graph.js"
import { lineageView } from "./views/lineage.js"
import { runsView, runView } from "./views/runs.js"

/**
 * The page: one HTML shell the server answers for every page URL, a view per URL (history API), one live
 * connection shared by the views.
 */
const root = () => $("#view")!
let current: View | undefined
let generation = 0

const render = async (route: Route) => {
  const mine = ++generation
  current?.dispose()
  current = undefined
  const el = root()
  el.dataset["view"] = route.view
  delete el.dataset["ready"]
  el.setAttribute("aria-busy", "true")
  const section = route.view === "run" || route.view === "runs" ? "runs" : route.view === "backfill" || route.view === "backfills" ? "backfills" : "graph"
  document.querySelectorAll<HTMLAnchorElement>("nav a").forEach((a) => a.classList.toggle("here", a.dataset["nav"] === section))
  try {
    const view =
      route.view === "graph"
        ? await graphView(el)
        : route.view === "asset"
          ? await assetView(el, route.param)
          : route.view === "runs"
            ? await runsView(el, route.query)
            : route.view === "run"
              ? await runView(el, route.param)
              : route.view === "backfills"
                ? await backfillsView(el)
                : route.view === "backfill"
                  ? await backfillView(el, route.param)
                  : route.view === "lineage"
                    ? await lineageView(el, route.param)
                    : missing(el, route.param)
    if (mine !== generation) return view.dispose()
    current = view
  } catch (e) {
    if (mine !== generation) return
    el.innerHTML = `<section class="problem-page"><h1>Cannot show this page</h1><p>${esc(e instanceof Error ? e.message : String(e))}</p><p><a href="/">the asset graph</a></p></section>`
    el.dataset["ready"] = "true"
  }
  el.removeAttribute("aria-busy")
  if (route.view === "graph") document.title = "assets"
  document.body.dataset["ready"] = "true"
}

const missing = (el: HTMLElement, path: string): View => {
  el.innerHTML = `<section class="problem-page"><h1>No page at ${esc(path)}</h1><p><a href="/">the asset graph</a></p></section>`
  el.dataset["ready"] = "true"
  return { dispose: () => undefined }
}

const go = (url: string, replace = false) => {
  const u = new URL(url, location.href)
  if (replace) history.replaceState(null, "", u)
  else history.pushState(null, "", u)
  window.scrollTo(0, 0)
  void render(parseRoute(u.pathname, u.search))
}

const main = async () => {
  setNavigate(go)
  const input = $<HTMLInputElement>("#token")!
  input.value = token.get()
  input.addEventListener("change", () => token.set(input.value))
  // links within the page change the view without loading the page again
  document.addEventListener("click", (ev) => {
    const a = (ev.target as Element).closest<HTMLAnchorElement>("a[href]")
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || a.target || a.origin !== location.origin) return
    if (a.pathname.startsWith("/api/") || a.pathname === "/openapi.json") return
    ev.preventDefault()
    go(a.href)
  })
  window.addEventListener("popstate", () => void render(parseRoute(location.pathname, location.search)))
  setupSearch()
  connectLive()
  const indicator = $("#live")!
  live.subscribe((s) => {
    const n = s.runs.length
    indicator.textContent = n === 0 ? "idle" : `${n} run${n === 1 ? "" : "s"} live`
    indicator.classList.toggle("busy", n > 0)
  })
  void get<{ project: string }>("/api/health").then((h) => ($("#project")!.textContent = h.project), showError)
  await render(parseRoute(location.pathname, location.search))
}

main().catch(showError)
