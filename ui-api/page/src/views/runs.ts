import { get, stream } from "../api.js"
import { $, at, count, duration, esc, seg, when } from "../dom.js"
import { gantt } from "../gantt.js"
import { live } from "../live.js"
import { guard, navigate, showError, throttle, type View } from "../page.js"
import { assetPath, backfillPath, runPath } from "../router.js"
import type { Run, RunEvent, Runs } from "../types.js"

const badge = (status: string) => `<span class="badge ${esc(status)}" data-status="${esc(status)}">${esc(status)}</span>`
const runDuration = (r: { startedAt: string; endedAt: string | null }) => duration((r.endedAt ? Date.parse(r.endedAt) : Date.now()) - Date.parse(r.startedAt))
const STATUSES = ["STARTED", "SUCCESS", "FAILURE", "CANCELED", "ABANDONED"]

/** The runs, newest first, filtered by status, kind and asset (the filters are in the URL). */
export const runsView = async (root: HTMLElement, query: URLSearchParams): Promise<View> => {
  document.title = "runs · assets"
  const status = query.get("status") ?? ""
  const kind = query.get("kind") ?? ""
  const asset = query.get("asset") ?? ""
  root.innerHTML = `
    <section class="runs-page">
      <header class="page-head"><h1>Runs</h1></header>
      <form id="run-filters" class="filters">
        <label>status <select name="status"><option value="">any</option>${STATUSES.map((s) => `<option ${s === status ? "selected" : ""}>${s}</option>`).join("")}</select></label>
        <label>kind <select name="kind"><option value="">any</option>${["materialize", "backfill"].map((k) => `<option ${k === kind ? "selected" : ""}>${k}</option>`).join("")}</select></label>
        <label>asset <input name="asset" value="${esc(asset)}" placeholder="any" spellcheck="false"></label>
        <button type="submit">Filter</button>
      </form>
      <div class="scroll"><table class="runs"><thead><tr><th>status</th><th>run</th><th>kind</th><th>selection</th><th>started</th><th>duration</th></tr></thead><tbody id="run-rows"></tbody></table></div>
      <button type="button" id="runs-more" hidden>Older</button>
    </section>`
  const filters = new URLSearchParams()
  if (status) filters.set("status", status)
  if (kind) filters.set("kind", kind)
  if (asset) filters.set("asset", asset)
  let cursor: string | null = null
  const row = (r: Runs["items"][number]) =>
    `<tr data-run="${esc(r.id)}"><td>${badge(r.status)}</td><td><a href="${runPath(r.id)}"><code>${esc(r.id)}</code></a></td><td>${esc(r.kind)}</td><td class="wrap">${esc(r.selection)}</td><td>${esc(when(r.startedAt))}</td><td class="num">${runDuration(r)}</td></tr>`
  const load = async (more = false) => {
    const q = new URLSearchParams(filters)
    q.set("limit", "50")
    if (more && cursor) q.set("before", cursor)
    const page = await get<Runs>(`/api/runs?${q}`)
    const body = $("#run-rows", root)!
    if (more) body.insertAdjacentHTML("beforeend", page.items.map(row).join(""))
    else body.innerHTML = page.items.map(row).join("") || `<tr><td colspan="6" class="muted">no runs${filters.size ? " that match" : " yet"}</td></tr>`
    cursor = page.nextCursor
    $("#runs-more", root)!.hidden = cursor === null
  }
  $("#run-filters", root)!.addEventListener("submit", (ev) => {
    ev.preventDefault()
    const data = new FormData(ev.target as HTMLFormElement)
    const q = new URLSearchParams()
    data.forEach((v, k) => {
      if (typeof v === "string" && v.trim() !== "") q.set(k, v.trim())
    })
    navigate(`/runs${q.size ? `?${q}` : ""}`)
  })
  $("#runs-more", root)!.addEventListener("click", guard(() => load(true)))
  await load()
  const refresh = throttle(() => void load().catch(showError), 1500)
  let seen = JSON.stringify(live.state.runs)
  const stop = live.subscribe((s) => {
    if (JSON.stringify(s.runs) !== seen) {
      seen = JSON.stringify(s.runs)
      refresh()
    }
  })
  root.dataset["ready"] = "true"
  return { dispose: stop }
}

/** Steps drawn at most: a backfill's run can hold thousands. */
const MAX_STEPS = 400

/** One run: its steps on a timeline with durations, and its log with times and whole errors; live while it runs. */
export const runView = async (root: HTMLElement, id: string): Promise<View> => {
  let run = await get<Run>(`/api/runs/${seg(id)}`)
  document.title = `run ${run.id} · assets`
  const backfill = /^backfill (\S+):/.exec(run.selection)?.[1]
  root.innerHTML = `
    <article class="run-page" data-run="${esc(run.id)}">
      <header class="page-head">
        <h1>Run <code>${esc(run.id)}</code> <span id="run-status">${badge(run.status)}</span></h1>
        <p class="facts small"><span>${esc(run.kind)}</span><span class="wrap">${esc(run.selection)}</span>${backfill ? `<span><a href="${backfillPath(backfill)}">backfill ${esc(backfill)}</a></span>` : ""}<span>started ${esc(when(run.startedAt))}</span><span id="run-took"></span><span>${esc(run.host)} pid ${run.pid}</span></p>
      </header>
      <section><h2>Timeline</h2><div id="gantt" class="gantt"></div></section>
      <section><h2>Log</h2><div class="scroll"><table class="log"><thead><tr><th>time</th><th>+</th><th>event</th><th>asset</th><th>message</th></tr></thead><tbody id="log-rows"></tbody></table></div></section>
    </article>`
  const started = Date.parse(run.startedAt)
  const drawRun = () => {
    $("#run-status", root)!.innerHTML = badge(run.status)
    $("#run-took", root)!.textContent = run.endedAt ? `took ${runDuration(run)}` : `running for ${runDuration(run)}`
    const axis = gantt(run, run.steps.slice(0, MAX_STEPS), Date.now())
    const rows = axis.bars.map(
      (b) => `<div class="gantt-row" data-asset="${esc(b.step.asset)}" data-partition="${esc(b.step.partition ?? "")}" data-state="${esc(b.step.state)}">
        <a class="gantt-label" href="${assetPath(b.step.asset)}" title="${esc(at(b.step.asset, b.step.partition))}">${esc(at(b.step.asset, b.step.partition))}</a>
        <div class="gantt-track"><div class="gantt-bar ${esc(b.step.state)}" style="left:${b.left.toFixed(3)}%;width:${b.width.toFixed(3)}%" title="${esc(b.step.state)} ${esc(duration(b.ms))}"></div></div>
        <span class="gantt-duration">${b.ms === null ? esc(b.step.state) : esc(duration(b.ms))}${b.step.rows !== null ? ` · ${count(b.step.rows)} rows` : ""}</span>
      </div>`
    )
    const ticks = axis.ticks.map((t) => `<span style="left:${t.at}%">${esc(duration(t.ms))}</span>`).join("")
    $("#gantt", root)!.innerHTML = run.steps.length
      ? `${rows.join("")}<div class="gantt-row axis"><span class="gantt-label"></span><div class="gantt-ticks">${ticks}</div><span class="gantt-duration"></span></div>${
          run.steps.length > MAX_STEPS ? `<p class="small muted">the first ${MAX_STEPS} of ${count(run.steps.length)} steps</p>` : ""
        }`
      : `<p class="muted">no steps${run.status === "STARTED" ? " yet" : ""}</p>`
  }
  const logRow = (e: RunEvent) =>
    `<tr class="log-line ${esc(e.type)}" data-seq="${e.seq}"><td>${esc(new Date(e.at).toLocaleTimeString())}</td><td class="num">${esc(duration(Date.parse(e.at) - started))}</td><td>${esc(e.type.toLowerCase())}</td><td>${
      e.asset ? `<a href="${assetPath(e.asset)}">${esc(at(e.asset, e.partition))}</a>` : ""
    }</td><td><pre class="message">${esc(e.message)}</pre></td></tr>`
  const body = $("#log-rows", root)!
  let last = 0
  const appendEvents = (events: ReadonlyArray<RunEvent>) => {
    const fresh = events.filter((e) => e.seq > last)
    if (fresh.length === 0) return
    last = fresh[fresh.length - 1]!.seq
    body.insertAdjacentHTML("beforeend", fresh.map(logRow).join(""))
  }
  drawRun()
  appendEvents((await get<{ items: ReadonlyArray<RunEvent> }>(`/api/runs/${seg(id)}/events`)).items)

  const controller = new AbortController()
  let ticker: ReturnType<typeof setInterval> | undefined
  if (run.status === "STARTED") {
    const reload = throttle(() => {
      void get<Run>(`/api/runs/${seg(id)}`)
        .then((r) => {
          run = r
          drawRun()
        })
        .catch(showError)
    }, 500)
    ticker = setInterval(drawRun, 1000)
    void stream(
      `/api/runs/${seg(id)}/events/stream?after=${last}`,
      (e) => {
        if (e.event === "run-event") appendEvents([e.data as RunEvent])
        reload()
      },
      controller.signal
    )
      .then(() => {
        clearInterval(ticker)
        reload()
      })
      .catch(showError)
  }
  root.dataset["ready"] = "true"
  return {
    dispose: () => {
      controller.abort()
      clearInterval(ticker)
    }
  }
}
