import { get, maybe } from "../api.js"
import { $, bytes, count, duration, esc, seg, when } from "../dom.js"
import { extendPick, healthAxis, healthCells, pickedRange, type Bucket, type Pick } from "../healthBar.js"
import { live } from "../live.js"
import { guard, showError, throttle, type View } from "../page.js"
import { assetPath, lineagePath, runPath } from "../router.js"
import { followRun, type RunRequest } from "../runs.js"
import type { Asset, Causes, Health, Materializations, Runs } from "../types.js"

type Materialization = Materializations["items"][number]

/** how many cells a health bar of this width holds: about 6 px each */
const bucketsFor = (width: number) => Math.max(20, Math.min(400, Math.floor(width / 6)))

const badge = (status: string) => `<span class="badge ${esc(status)}" data-status="${esc(status)}">${esc(status)}</span>`

/** What the store kept about a materialization, as the table shows it. */
const metadataCells = (m: Materialization) => {
  const md = m.metadata as Record<string, unknown>
  const num = (k: string) => (typeof md[k] === "number" ? (md[k] as number) : undefined)
  const rejected = Object.entries(md)
    .filter(([k, v]) => k.endsWith("_rows") && typeof v === "number")
    .map(([k, v]) => `${count(v as number)} ${esc(k.slice(0, -5))}`)
  const size = num("bytes") ?? num("size_bytes") ?? num("sizeBytes")
  const scanned = num("athena_bytes_scanned")
  const cost = num("athena_cost_usd")
  return [
    `<td class="num">${count(m.rowCount)}</td>`,
    `<td>${rejected.join(", ") || "—"}</td>`,
    `<td class="num">${duration(Date.parse(m.endedAt) - Date.parse(m.startedAt))}</td>`,
    `<td class="num">${size === undefined ? "—" : bytes(size)}</td>`,
    `<td class="num">${scanned === undefined ? "—" : bytes(scanned)}</td>`,
    `<td class="num">${cost === undefined ? "—" : `$${cost.toFixed(6)}`}</td>`
  ].join("")
}

const historyRows = (items: ReadonlyArray<Materialization>) =>
  items
    .map(
      (m) => `<tr class="materialization" data-id="${esc(m.id)}">
        <td>${esc(m.partition ?? "—")}</td>${metadataCells(m)}
        <td>${esc(when(m.endedAt))}</td>
        <td><a href="${runPath(m.runId)}">run</a> · <a href="${lineagePath(m.id)}" class="lineage-link">lineage</a></td></tr>`
    )
    .join("")

/** One partition's causes, folded: a failure's whole error, or each cause on its own line. */
const causeItem = (p: Causes["items"][number], open: boolean) => {
  const status = p.running ? "RUNNING" : p.status
  const reasons = p.failure
    ? `<p>failed in <a href="${runPath(p.failure.runId)}">run ${esc(p.failure.runId)}</a> at ${esc(when(p.failure.at))}${p.causes.length ? `; also ${p.freshness.toLowerCase()}` : ""}:</p><pre class="error">${esc(p.failure.message)}</pre>`
    : ""
  const causes = p.causes.length ? `<ul>${p.causes.map((c) => `<li>${esc(c.message)}</li>`).join("")}</ul>` : ""
  const summary = p.failure ? esc(p.failure.message.split("\n")[0]) : `${p.causes.length} cause${p.causes.length === 1 ? "" : "s"}${p.causes[0] ? `: ${esc(p.causes[0].message)}` : ""}`
  return `<details class="cause" data-partition="${esc(p.partition ?? "")}" ${open ? "open" : ""}>
    <summary>${badge(status)} <b>${esc(p.partition ?? "the asset")}</b> <span class="muted">${summary}</span></summary>
    ${reasons}${causes}</details>`
}

/** The checks route's answer as far as the page reads it (GET /api/assets/{key}/checks, when the server has it). */
interface ChecksAnswer {
  readonly definitions?: ReadonlyArray<{ readonly name: string; readonly severity?: string; readonly description?: string }>
  readonly partitions?: ReadonlyArray<{
    readonly partition: string | null
    readonly checks?: ReadonlyArray<{ readonly check: string; readonly status: string; readonly severity?: string; readonly failingRows?: number | null; readonly message?: string; readonly at?: string; readonly stale?: boolean }>
  }>
}

/** The latest result of each check per partition, failures first; undefined when the asset has no checks. */
const checkRows = (answer: ChecksAnswer | undefined) => {
  if (answer === undefined || !Array.isArray(answer.definitions) || answer.definitions.length === 0) return undefined
  const rows = (answer.partitions ?? []).flatMap((p) => (p.checks ?? []).map((c) => ({ partition: p.partition, ...c })))
  const rank = (status: string) => (/fail|error/i.test(status) ? 0 : /warn/i.test(status) ? 1 : 2)
  rows.sort((a, b) => rank(a.status) - rank(b.status) || String(a.partition).localeCompare(String(b.partition)))
  const ran = rows
    .slice(0, 100)
    .map(
      (c) => `<tr class="check ${esc(c.status)}"><td>${esc(c.check)}</td><td>${esc(c.partition ?? "—")}</td><td>${badge(c.status.toUpperCase())}${c.stale ? " <span class='small muted'>(older definition)</span>" : ""}</td><td>${esc(
        c.severity ?? ""
      )}</td><td class="num">${c.failingRows ?? ""}</td><td class="wrap">${esc(c.message ?? "")}</td><td>${esc(when(c.at))}</td></tr>`
    )
  const never = answer.definitions.filter((d) => !rows.some((r) => r.check === d.name))
  return [...ran, ...never.map((d) => `<tr class="check"><td>${esc(d.name)}</td><td>—</td><td class="muted">not run yet</td><td>${esc(d.severity ?? "")}</td><td></td><td class="wrap">${esc(d.description ?? "")}</td><td></td></tr>`)].join("")
}

/**
 * One asset: its definition and columns, its status with causes by partition, its partitions as a health bar
 * with a range picker and a launch button, its checks when the API has them, its materializations with their
 * metadata, and its runs. Follows the live state: RUNNING while it runs, refreshed when something is materialized.
 */
export const assetView = async (root: HTMLElement, key: string): Promise<View> => {
  const base = `/api/assets/${seg(key)}`
  // everything the page first shows is asked for at once (the bar's cells guessed from the window's width)
  const handled = <A>(p: Promise<A>) => (p.catch(() => undefined), p)
  const firstHealth = handled(get<Health>(`${base}/health?buckets=${bucketsFor(window.innerWidth * 0.62)}`))
  const firstCauses = handled(get<Causes>(`${base}/causes?limit=25`))
  const firstHistory = handled(get<Materializations>(`${base}/materializations?limit=15`))
  const asset = await get<Asset>(base)
  document.title = `${asset.key} · assets`
  const isAsset = asset.kind === "asset"
  root.innerHTML = `
    <article class="asset-page" data-asset="${esc(asset.key)}">
      <header class="page-head">
        <h1><span class="key">${esc(asset.key)}</span> <span id="asset-status">${badge(asset.status)}</span></h1>
        <p class="muted">${esc(asset.description || "no description")}</p>
        <p class="facts small">
          <span>${esc(asset.kind)}</span><span>group <b>${esc(asset.group)}</b></span>${asset.zone ? `<span>zone ${esc(asset.zone)}</span>` : ""}<span>${esc(asset.format)}</span>
          ${asset.codeVersion ? `<span>code <code>${esc(asset.codeVersion)}</code></span>` : ""}
          ${asset.automation ? `<span>automation <b>${esc(asset.automation)}</b></span>` : ""}${asset.freshnessPolicy ? `<span id="freshness-policy" class="${asset.freshnessPolicy.overdue ? "overdue" : ""}">${asset.freshnessPolicy.overdue ? `<b>OVERDUE</b>: newest data older than ${esc(asset.freshnessPolicy.maxLag)}` : `max lag ${esc(asset.freshnessPolicy.maxLag)}`}</span>` : ""}
          ${asset.partitionsDefinition !== null ? `<span>${count(asset.partitions.count)} partitions, ${esc(asset.partitions.first)} … ${esc(asset.partitions.last)}</span>` : ""}
        </p>
        <div class="actions">
          ${isAsset ? `<button type="button" class="primary" id="materialize">Materialize ${esc(asset.key)}</button>` : ""}
          ${asset.latestMaterialization ? `<a class="button" href="${lineagePath(asset.latestMaterialization.id)}">Lineage of the latest</a>` : ""}
          <a class="button" href="/runs?asset=${seg(asset.key)}">Runs</a>
        </div>
      </header>
      <div class="asset-grid">
        <div class="main-col">
          ${asset.partitionsDefinition !== null ? `<section id="partitions"><h2>Partitions</h2><div id="health-bar" class="health"></div></section>` : ""}
          <section id="status"><h2>Status</h2><div id="causes"></div></section>
          <section id="checks" hidden><h2>Checks</h2><div class="scroll"><table><thead><tr><th>check</th><th>partition</th><th>result</th><th>severity</th><th>failing rows</th><th>message</th><th>at</th></tr></thead><tbody id="check-rows"></tbody></table></div></section>
          ${isAsset ? `<section id="history"><h2>Materializations</h2><div class="scroll"><table><thead><tr><th>partition</th><th>rows</th><th>rejected lines</th><th>duration</th><th>size</th><th>Athena scanned</th><th>Athena cost</th><th>ended</th><th></th></tr></thead><tbody id="history-rows"></tbody></table></div><button type="button" id="history-more" hidden>Older</button></section>` : `<section><p class="muted">A source is observed, not materialized.</p></section>`}
        </div>
        <aside class="side-col">
          <section id="schema"><h2>Columns</h2>${
            asset.columns.length
              ? `<div class="scroll"><table><thead><tr><th>name</th><th>type</th><th>null</th></tr></thead><tbody>${asset.columns
                  .map((c) => `<tr><td><code>${esc(c.name)}</code></td><td>${esc(c.type)}</td><td>${c.nullable ? "yes" : "no"}</td></tr>`)
                  .join("")}</tbody></table></div>`
              : `<p class="muted small">no declared columns</p>`
          }</section>
          <section id="edges"><h2>Reads</h2>${
            asset.inputs.map((e) => `<p class="edge-link"><a href="${assetPath(e.asset)}">${esc(e.asset)}</a> <span class="small muted">${esc(e.mapping)}</span></p>`).join("") ||
            `<p class="muted small">nothing</p>`
          }<h2>Read by</h2>${
            asset.outputs.map((e) => `<p class="edge-link"><a href="${assetPath(e.asset)}">${esc(e.asset)}</a> <span class="small muted">${esc(e.mapping)}</span></p>`).join("") ||
            `<p class="muted small">nothing</p>`
          }</section>
          <section id="runs"><h2>Recent runs</h2><div id="run-list" class="small muted">…</div></section>
        </aside>
      </div>
    </article>`

  // ---- status: the partitions that are not fresh, a page at a time, each folded
  let causeOffset = 0
  const loadCauses = async (more = false, prefetched?: Promise<Causes>) => {
    const page = await (prefetched ?? get<Causes>(`${base}/causes?limit=25&offset=${more ? causeOffset : 0}`))
    const el = $("#causes", root)!
    const items = page.items.map((p, i) => causeItem(p, !more && i === 0 && (p.failure !== null || page.total <= 3))).join("")
    const header = page.total === 0 ? `<p class="ok">Every partition is fresh.</p>` : `<p class="small muted">${count(page.total)} partition${page.total === 1 ? "" : "s"} not fresh</p>`
    causeOffset = page.nextOffset ?? page.offset + page.items.length
    if (more) {
      $("#causes-more", el)?.remove()
      el.insertAdjacentHTML("beforeend", items)
    } else el.innerHTML = header + items
    if (page.nextOffset !== null) el.insertAdjacentHTML("beforeend", `<button type="button" id="causes-more">Show ${count(Math.min(25, page.total - page.nextOffset))} more</button>`)
    $("#causes-more", el)?.addEventListener("click", guard(() => loadCauses(true)))
  }

  // ---- partitions: the health bar over a range, a pick of cells, a launch
  let health: Health | undefined
  let range: { from?: string; to?: string } = {}
  let pick: Pick | undefined
  const bar = $("#health-bar", root)
  const cellRunning = (b: Bucket) =>
    (b.counts.RUNNING ?? 0) > 0 || (b.partitions === 1 ? live.isRunning(asset.key, b.from) : live.isRunning(asset.key, b.from) || live.isRunning(asset.key, b.to))
  const drawBar = () => {
    if (!bar || !health) return
    const picked = pick ? pickedRange(health, pick) : undefined
    const busy = picked !== undefined && health.buckets.slice(pick!.first, pick!.last + 1).some(cellRunning)
    bar.innerHTML = `
      <div class="hb-bar" role="group" aria-label="partitions">${healthCells(health, pick, cellRunning)}</div>
      <div class="hb-axis">${healthAxis(health)}</div>
      <div class="hb-controls">
        <label>from <input id="hb-from" value="${esc(range.from ?? health.range.from ?? "")}" spellcheck="false"></label>
        <label>to <input id="hb-to" value="${esc(range.to ?? health.range.to ?? "")}" spellcheck="false"></label>
        <button type="button" id="hb-zoom">Show range</button>
        <button type="button" id="hb-all" ${range.from || range.to ? "" : "disabled"}>All</button>
        <span class="spacer"></span>
        ${
          isAsset
            ? `<label class="small"><input type="checkbox" id="hb-force"> force</label>
               <button type="button" class="primary" id="hb-launch" ${picked === undefined || busy ? "disabled" : ""}>${
                 picked === undefined ? "Pick partitions to materialize" : busy ? "Running…" : `Materialize ${picked.partitions === 1 ? esc(picked.from) : `${esc(picked.from)} … ${esc(picked.to)} (${count(picked.partitions)})`}`
               }</button>`
            : ""
        }
      </div>`
  }
  const loadHealth = async (prefetched?: Promise<Health>) => {
    if (!bar) return
    const q = new URLSearchParams({ buckets: String(bucketsFor(bar.clientWidth)) })
    if (range.from) q.set("from", range.from)
    if (range.to) q.set("to", range.to)
    const next = await (prefetched ?? get<Health>(`${base}/health?${q}`))
    // a pick stays when the cells did not move
    if (health === undefined || next.range.from !== health.range.from || next.range.to !== health.range.to || next.buckets.length !== health.buckets.length) pick = undefined
    health = next
    drawBar()
  }
  bar?.addEventListener(
    "click",
    guard(async (ev: Event) => {
      const target = ev.target as HTMLElement
      const cell = target.closest<HTMLElement>(".hb-cell")
      if (cell && health) {
        pick = extendPick(pick, Number(cell.dataset["i"]), (ev as MouseEvent).shiftKey)
        const r = pickedRange(health, pick)
        drawBar()
        $<HTMLInputElement>("#hb-from", bar)!.value = r.from
        $<HTMLInputElement>("#hb-to", bar)!.value = r.to
        return
      }
      if (target.id === "hb-zoom") {
        range = { from: $<HTMLInputElement>("#hb-from", bar)!.value.trim() || undefined, to: $<HTMLInputElement>("#hb-to", bar)!.value.trim() || undefined } as typeof range
        pick = undefined
        return loadHealth()
      }
      if (target.id === "hb-all") {
        range = {}
        pick = undefined
        return loadHealth()
      }
      if (target.id === "hb-launch" && health && pick) {
        const r = pickedRange(health, pick)
        const request: RunRequest = {
          selection: asset.key,
          ...(r.from === r.to ? { partition: r.from } : { from: r.from, to: r.to }),
          ...($<HTMLInputElement>("#hb-force", bar)!.checked ? { force: true } : {})
        }
        const { ended } = await followRun(request, [{ asset: asset.key, from: r.from, to: r.to }])
        void ended.then(() => refresh(), showError)
      }
    })
  )
  bar?.addEventListener("dblclick", (ev) => {
    const cell = (ev.target as HTMLElement).closest<HTMLElement>(".hb-cell")
    if (!cell || cell.dataset["from"] === cell.dataset["to"]) return
    range = { from: cell.dataset["from"]!, to: cell.dataset["to"]! }
    pick = undefined
    void loadHealth().catch(showError)
  })
  bar?.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.target as HTMLElement).tagName === "INPUT") $("#hb-zoom", bar)?.click()
  })

  // ---- the whole asset: materialize (what is missing or stale, like `assets materialize`)
  const materializeButton = $<HTMLButtonElement>("#materialize", root)
  let currentStatus: string = asset.status
  const drawButton = () => {
    if (!materializeButton) return
    const busy = live.isRunning(asset.key)
    materializeButton.disabled = busy
    materializeButton.textContent = busy ? `${asset.key} is running…` : `Materialize ${asset.key}`
    $("#asset-status", root)!.innerHTML = badge(busy ? "RUNNING" : currentStatus)
  }
  materializeButton?.addEventListener(
    "click",
    guard(async () => {
      const { ended } = await followRun({ selection: asset.key }, [{ asset: asset.key, from: null, to: null }])
      void ended.then(() => refresh(), showError)
    })
  )

  // ---- history and runs
  let historyCursor: string | null = null
  const loadHistory = async (more = false, prefetched?: Promise<Materializations>) => {
    if (!isAsset) return
    const page = await (prefetched ?? get<Materializations>(`${base}/materializations?limit=15${more && historyCursor ? `&before=${seg(historyCursor)}` : ""}`))
    const body = $("#history-rows", root)!
    if (more) body.insertAdjacentHTML("beforeend", historyRows(page.items))
    else body.innerHTML = historyRows(page.items) || `<tr><td colspan="9" class="muted">never materialized</td></tr>`
    historyCursor = page.nextCursor
    $("#history-more", root)!.hidden = page.nextCursor === null
  }
  $("#history-more", root)?.addEventListener("click", guard(() => loadHistory(true)))
  const loadRuns = async () => {
    const runs = await get<Runs>(`/api/runs?asset=${seg(asset.key)}&limit=8`)
    $("#run-list", root)!.innerHTML =
      runs.items.map((r) => `<p class="run-line">${badge(r.status)} <a href="${runPath(r.id)}">${esc(when(r.startedAt))}</a> <span class="muted">${esc(r.kind)}</span></p>`).join("") ||
      "no runs yet"
  }
  const loadChecks = async () => {
    const rows = checkRows(await maybe<ChecksAnswer>(`${base}/checks`))
    const section = $("#checks", root)!
    section.hidden = rows === undefined
    if (rows !== undefined) $("#check-rows", root)!.innerHTML = rows
  }

  const refresh = throttle(() => {
    void (async () => {
      const a = await get<Asset>(base)
      currentStatus = a.status
      drawButton()
      await Promise.all([loadCauses(), loadHealth(), loadHistory(), loadRuns(), loadChecks()])
    })().catch(showError)
  }, 800)

  drawButton()
  await Promise.all([loadCauses(false, firstCauses), loadHealth(firstHealth), loadHistory(false, firstHistory)])
  void loadRuns().catch(showError)
  void loadChecks()

  let version = live.state.version
  let running = JSON.stringify(live.state.running.filter((r) => r.asset === asset.key))
  const stop = live.subscribe((state) => {
    drawButton()
    drawBar()
    const mine = JSON.stringify(state.running.filter((r) => r.asset === asset.key))
    if (state.version !== version || mine !== running) {
      version = state.version
      running = mine
      refresh()
    }
  })
  root.dataset["ready"] = "true"
  return { dispose: stop }
}

