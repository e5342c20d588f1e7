import { get, post, stream } from "../api.js"
import { $, at, count, duration, esc, seg, when } from "../dom.js"
import { live } from "../live.js"
import { guard, navigate, showError, throttle, type View } from "../page.js"
import { assetPath, backfillPath } from "../router.js"
import type { Backfill, BackfillFull, BackfillStartedData, Backfills, Grid, Tasks } from "../types.js"

const badge = (status: string) => `<span class="badge ${esc(status)}" data-status="${esc(status)}">${esc(status)}</span>`
const STATES = ["succeeded", "skipped", "running", "pending", "failed", "abandoned"] as const

/** A bar of a backfill's tasks by state, in proportion. */
const progress = (b: Backfill) =>
  `<div class="progress" title="${STATES.map((s) => `${b.counts[s]} ${s}`).join(", ")}">${STATES.filter((s) => b.counts[s] > 0)
    .map((s) => `<span class="seg ${s}" style="width:${((b.counts[s] / Math.max(1, b.total)) * 100).toFixed(2)}%"></span>`)
    .join("")}</div>`

const doneOf = (b: Backfill) => b.counts.succeeded + b.counts.skipped

/** The backfills, newest first, and a form to start one. */
export const backfillsView = async (root: HTMLElement): Promise<View> => {
  document.title = "backfills · assets"
  root.innerHTML = `
    <section class="backfills-page">
      <header class="page-head"><h1>Backfills</h1></header>
      <form id="new-backfill" class="filters">
        <label>selection <input name="selection" required placeholder="+category_report" spellcheck="false"></label>
        <label>from <input name="from" required placeholder="2023-01" spellcheck="false" size="10"></label>
        <label>to <input name="to" required placeholder="2023-12" spellcheck="false" size="10"></label>
        <label><input type="checkbox" name="force"> force</label>
        <label>workers <input name="concurrency" type="number" min="1" max="16" value="2"></label>
        <button type="submit" class="primary">Start backfill</button>
      </form>
      <div class="scroll"><table><thead><tr><th>status</th><th>backfill</th><th>selection</th><th>range</th><th>progress</th><th>created</th></tr></thead><tbody id="backfill-rows"></tbody></table></div>
    </section>`
  const load = async () => {
    const list = await get<Backfills>("/api/backfills")
    $("#backfill-rows", root)!.innerHTML =
      list.items
        .map(
          (b) => `<tr data-backfill="${esc(b.id)}"><td>${badge(b.status)}</td><td><a href="${backfillPath(b.id)}"><code>${esc(b.id)}</code></a></td><td class="wrap">${esc(b.selection)}${
            b.force ? " <span class='small muted'>(force)</span>" : ""
          }</td><td>${esc(b.from)} … ${esc(b.to)}</td><td class="progress-cell">${progress(b)}<span class="small">${count(doneOf(b))}/${count(b.total)}</span></td><td>${esc(when(b.createdAt))}</td></tr>`
        )
        .join("") || `<tr><td colspan="6" class="muted">no backfills yet</td></tr>`
  }
  $("#new-backfill", root)!.addEventListener(
    "submit",
    guard(async (ev: Event) => {
      ev.preventDefault()
      const data = new FormData(ev.target as HTMLFormElement)
      const text = (k: string) => String(data.get(k) ?? "").trim()
      const started = await post<BackfillStartedData>("/api/backfills", {
        selection: text("selection"),
        from: text("from"),
        to: text("to"),
        force: data.get("force") === "on",
        concurrency: Number(text("concurrency") || 2)
      })
      navigate(backfillPath(started.backfillId))
    })
  )
  await load()
  const refresh = throttle(() => void load().catch(showError), 1500)
  let seen = JSON.stringify(live.state.backfills)
  const stop = live.subscribe((s) => {
    if (JSON.stringify(s.backfills) !== seen) {
      seen = JSON.stringify(s.backfills)
      refresh()
    }
  })
  root.dataset["ready"] = "true"
  return { dispose: stop }
}

/** One backfill: progress per asset × partition, rate and ETA, its failures, cancel and resume; live while it runs. */
export const backfillView = async (root: HTMLElement, id: string): Promise<View> => {
  const base = `/api/backfills/${seg(id)}`
  let b = await get<BackfillFull>(base)
  document.title = `backfill ${b.id} · assets`
  root.innerHTML = `
    <article class="backfill-page" data-backfill="${esc(b.id)}">
      <header class="page-head">
        <h1>Backfill <code>${esc(b.id)}</code> <span id="backfill-status"></span></h1>
        <p class="facts small"><span class="wrap">${esc(b.selection)}</span><span>${esc(b.from)} … ${esc(b.to)}</span>${b.force ? "<span>force</span>" : ""}<span>created ${esc(when(b.createdAt))}</span><span><a href="/runs?kind=backfill">its runs</a></span></p>
        <div class="actions">
          <button type="button" id="cancel-backfill">Cancel</button>
          <button type="button" id="resume-backfill" class="primary">Resume</button>
          <span id="backfill-hint" class="small muted"></span>
        </div>
      </header>
      <section><h2>Progress</h2><div id="backfill-progress"></div><p id="backfill-numbers" class="numbers"></p></section>
      <section><h2>Assets × partitions</h2><div id="backfill-grid" class="scroll"></div></section>
      <section id="backfill-failures" hidden><h2>Failed tasks</h2><div id="failure-list"></div></section>
    </article>`
  const draw = () => {
    $("#backfill-status", root)!.innerHTML = badge(b.status)
    $("#backfill-progress", root)!.innerHTML = progress(b)
    const finished = doneOf(b) + b.counts.failed + b.counts.abandoned
    $("#backfill-numbers", root)!.innerHTML = [
      `<span><b>${count(finished)}</b>/${count(b.total)} tasks finished</span>`,
      ...STATES.map((s) => `<span class="state-count ${s}" data-state="${s}"><b>${count(b.counts[s])}</b> ${s}</span>`),
      `<span>rate <b>${b.ratePerMinute === null ? "—" : `${b.ratePerMinute.toFixed(1)}/min`}</b></span>`,
      `<span>ETA <b>${b.etaSeconds === null ? "—" : duration(b.etaSeconds * 1000)}</b></span>`,
      b.startedAt ? `<span>started ${esc(when(b.startedAt))}</span>` : "",
      b.endedAt ? `<span>ended ${esc(when(b.endedAt))}</span>` : ""
    ].join("")
    const cancel = $<HTMLButtonElement>("#cancel-backfill", root)!
    const resume = $<HTMLButtonElement>("#resume-backfill", root)!
    cancel.disabled = !(b.stored === "RUNNING")
    resume.disabled = !(b.status === "CANCELED" || b.status === "FAILED" || b.status === "ABANDONED")
    $("#backfill-hint", root)!.textContent = b.hint
  }
  const drawGrid = async () => {
    const grid = await get<Grid>(`${base}/grid?columns=60`)
    const label = (c: Grid["columns"][number]) => (c.from === null ? "all" : c.from === c.to ? c.from : `${c.from} … ${c.to}`)
    const every = Math.max(1, Math.ceil(grid.columns.length / 30))
    $("#backfill-grid", root)!.innerHTML = `<table class="grid"><thead><tr><th></th>${grid.columns
      .map((c, i) => `<th class="col" title="${esc(label(c))}">${i % every === 0 ? esc(c.from === null ? "all" : c.from) : ""}</th>`)
      .join("")}</tr></thead><tbody>${grid.rows
      .map(
        (r) => `<tr data-asset="${esc(r.asset)}"><th><a href="${assetPath(r.asset)}">${esc(r.asset)}</a></th>${r.cells
          .map((cell, i) => `<td class="g ${cell.state ?? "none"}" data-state="${cell.state ?? ""}" title="${esc(at(r.asset, label(grid.columns[i]!)))}: ${cell.total ? `${cell.done}/${cell.total} done, ${cell.state}` : "no task"}"></td>`)
          .join("")}</tr>`
      )
      .join("")}</tbody></table>`
  }
  const drawFailures = async () => {
    const [failed, abandoned] = await Promise.all([get<Tasks>(`${base}/tasks?state=failed&limit=20`), get<Tasks>(`${base}/tasks?state=abandoned&limit=20`)])
    const items = [...failed.items, ...abandoned.items]
    $("#backfill-failures", root)!.hidden = items.length === 0
    $("#failure-list", root)!.innerHTML = items
      .map((t) => `<details class="cause"><summary>${badge(t.state.toUpperCase())} <b>${esc(at(t.asset, t.partition))}</b> <span class="muted">${esc(t.message.split("\n")[0])}</span></summary><pre class="error">${esc(t.message)}</pre></details>`)
      .join("")
  }
  const reload = throttle(() => {
    void (async () => {
      b = await get<BackfillFull>(base)
      draw()
      await Promise.all([drawGrid(), drawFailures()])
    })().catch(showError)
  }, 400)

  let controller = new AbortController()
  const follow = () => {
    controller.abort()
    controller = new AbortController()
    void stream(`${base}/events/stream`, () => reload(), controller.signal)
      .then(() => reload())
      .catch(showError)
  }
  $("#cancel-backfill", root)!.addEventListener(
    "click",
    guard(async () => {
      $<HTMLButtonElement>("#cancel-backfill", root)!.disabled = true
      await post<Backfill>(`${base}/cancel`)
      reload()
    })
  )
  $("#resume-backfill", root)!.addEventListener(
    "click",
    guard(async () => {
      $<HTMLButtonElement>("#resume-backfill", root)!.disabled = true
      await post<Backfill>(`${base}/resume`, {})
      reload()
      follow()
    })
  )
  draw()
  await Promise.all([drawGrid(), drawFailures()])
  follow()
  root.dataset["ready"] = "true"
  return { dispose: () => controller.abort() }
}
