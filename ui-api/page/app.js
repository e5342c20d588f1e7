// The asset graph, an asset's partitions and history, and a lineage walk: plain DOM and SVG over the JSON API.
const $ = (sel) => document.querySelector(sel)
const NODE_W = 170, NODE_H = 38, COL_GAP = 70, ROW_GAP = 14, PAD = 20

const state = { graph: null, assets: new Map(), selected: null, partition: null, trail: [], log: null }

const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c])
const at = (asset, partition) => (partition ? `${asset}[${partition}]` : asset)
const when = (iso) => (iso ? new Date(iso).toLocaleString() : "")

function headers(extra = {}) {
  const token = sessionStorage.getItem("assets-token")
  return token ? { Authorization: `Bearer ${token}`, ...extra } : extra
}

async function api(path, options = {}) {
  const res = await fetch(path, { ...options, headers: headers(options.headers) })
  const body = await res.json()
  if (!res.ok) throw new Error(body.message ?? `${res.status} ${res.statusText}`)
  return body
}

function showError(e) {
  const el = $("#error")
  el.textContent = e.message
  el.hidden = false
  setTimeout(() => (el.hidden = true), 6000)
}

const guard = (f) => (...args) => f(...args).catch(showError)

// ---- graph: columns by topological level, rows by order within a level, edges as curves
function layout(graph) {
  const columns = new Map()
  for (const n of graph.nodes) {
    if (!columns.has(n.level)) columns.set(n.level, [])
    columns.get(n.level).push(n)
  }
  const pos = new Map()
  let height = 0
  for (const [level, nodes] of columns) {
    nodes.forEach((n, i) => pos.set(n.key, { x: PAD + level * (NODE_W + COL_GAP), y: PAD + i * (NODE_H + ROW_GAP) }))
    height = Math.max(height, PAD * 2 + nodes.length * (NODE_H + ROW_GAP))
  }
  const width = PAD * 2 + columns.size * (NODE_W + COL_GAP) - COL_GAP
  return { pos, width, height }
}

function drawGraph() {
  const { graph, assets } = state
  const { pos, width, height } = layout(graph)
  const svg = $("#graph")
  svg.style.maxWidth = `${width}px`
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`)
  const edges = graph.edges.map((e) => {
    const a = pos.get(e.from), b = pos.get(e.to)
    const x1 = a.x + NODE_W, y1 = a.y + NODE_H / 2, x2 = b.x, y2 = b.y + NODE_H / 2, mx = (x1 + x2) / 2
    const hi = state.selected === e.from || state.selected === e.to ? " hi" : ""
    return `<path class="edge${hi}" d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}"><title>${esc(e.to)} reads ${esc(e.from)}: ${esc(e.mapping)}</title></path>`
  })
  const nodes = graph.nodes.map((n) => {
    const p = pos.get(n.key)
    const a = assets.get(n.key)
    const status = a?.status ?? "MISSING"
    const cls = `node ${n.kind === "source" ? "source" : status}${state.selected === n.key ? " selected" : ""}`
    const sub = n.kind === "source" ? "source" : n.partitioned ? `${a?.counts.FRESH ?? 0}/${(a?.counts.FRESH ?? 0) + (a?.counts.STALE ?? 0) + (a?.counts.MISSING ?? 0)} months fresh` : status.toLowerCase()
    return `<g class="${cls}" data-asset="${esc(n.key)}" data-status="${status}" transform="translate(${p.x},${p.y})" tabindex="0">
      <rect width="${NODE_W}" height="${NODE_H}"></rect>
      <text x="10" y="14">${esc(n.key)}</text><text class="sub" x="10" y="28">${esc(sub)}</text>
      <title>${esc(n.description)}</title></g>`
  })
  svg.innerHTML = edges.join("") + nodes.join("")
  for (const g of svg.querySelectorAll(".node")) g.addEventListener("click", guard(() => selectAsset(g.dataset.asset)))
}

// ---- one asset: status, causes, month grid, recent materializations, a button to materialize it
async function selectAsset(key, partition = null) {
  state.selected = key
  state.partition = partition
  drawGraph()
  const a = await api(`/api/assets/${encodeURIComponent(key)}`)
  const parts = a.partitionsDefinition ? (await api(`/api/assets/${encodeURIComponent(key)}/partitions`)).partitions : []
  const query = partition ? `?partition=${partition}&limit=12` : "?limit=12"
  const history = a.kind === "asset" ? (await api(`/api/assets/${encodeURIComponent(key)}/materializations${query}`)).items : []
  const reason = (p) => (p.failure ? `failed in run ${esc(p.failure.runId)}: <code>${esc(p.failure.message.split("\n")[0])}</code>` : p.causes.map((c) => esc(c.message)).join("; "))
  const causes = a.notFresh.slice(0, 8).map((p) => `<li>${p.partition ? `<b>${esc(p.partition)}</b>: ` : ""}${reason(p)}</li>`)
  const picked = parts.find((p) => p.partition === partition)
  const sides = Object.entries(picked?.sideOutputs ?? {}).filter(([, s]) => s.countBy && s.rows > 0)
  const el = $("#asset")
  el.hidden = false
  el.innerHTML = `
    <h2>${esc(a.key)} <span class="badge ${a.status}">${a.status}</span></h2>
    <div class="muted">${esc(a.description)}</div>
    <div class="small muted">${a.kind}${a.codeVersion ? ` · code ${esc(a.codeVersion)}` : ""} · ${esc(a.format)}${a.inputs.length ? ` · reads ${a.inputs.map((i) => esc(i.asset)).join(", ")}` : ""}</div>
    ${causes.length ? `<h3>Why not fresh</h3><ul class="causes">${causes.join("")}</ul>` : ""}
    ${a.kind === "asset" && a.status !== "FRESH" ? `<p><button class="primary" id="materialize">Materialize ${esc(a.key)}</button></p>` : ""}
    <pre class="log" id="run-log" ${state.log?.asset === key ? "" : "hidden"}>${esc(state.log?.asset === key ? state.log.text : "")}</pre>
    ${parts.length ? `<h3>Partitions</h3>${monthGrid(parts, partition)}` : ""}
    ${sides
      .map(
        ([name, s]) =>
          `<h3>${esc(name)} in ${esc(partition)}: ${s.rows}</h3><ul class="causes">${Object.entries(s.countBy.top)
            .map(([k, n]) => `<li><b>${n}</b> ${esc(k)}</li>`)
            .join("")}</ul><p class="small muted"><code>assets preview ${esc(a.key)} --${esc(name)} --partition ${esc(partition)}</code> lists them</p>`
      )
      .join("")}
    ${a.kind === "asset" ? `<h3>Recent materializations${partition ? ` of ${esc(partition)} <button class="small" id="all-partitions">all</button>` : ""}</h3>${historyTable(history)}` : "<p class='muted'>A source is observed, not materialized: walk lineage from an asset that reads it.</p>"}`
  $("#materialize")?.addEventListener("click", guard(() => startRun(a.key)))
  $("#all-partitions")?.addEventListener("click", guard(() => selectAsset(key)))
  for (const b of el.querySelectorAll(".cell[data-partition]")) b.addEventListener("click", guard(() => selectAsset(key, b.dataset.partition)))
  for (const tr of el.querySelectorAll("tr.materialization")) tr.addEventListener("click", guard(() => walkTo(tr.dataset.id, true)))
}

function monthGrid(parts, picked) {
  const byMonth = new Map(parts.map((p) => [p.partition, p]))
  const years = [...new Set(parts.map((p) => p.partition.slice(0, 4)))].sort()
  const rows = years.map((y) => {
    const cells = Array.from({ length: 12 }, (_, i) => {
      const key = `${y}-${String(i + 1).padStart(2, "0")}`
      const p = byMonth.get(key)
      if (!p) return `<span class="cell none" title="${key}: no data"></span>`
      const rejected = Object.entries(p.sideOutputs ?? {}).filter(([, s]) => s.countBy && s.rows > 0).map(([name, s]) => `${s.rows} ${name}`)
      const why = [p.failure ? `failed: ${p.failure.message.split("\n")[0]}` : "", ...p.causes.map((c) => c.message), ...rejected].filter(Boolean).join("; ")
      return `<button class="cell ${p.status}${picked === key ? " picked" : ""}" data-partition="${key}" title="${key}: ${p.status}${why ? ` (${esc(why)})` : ""}">${i + 1}</button>`
    })
    return `<span class="year">${y}</span>${cells.join("")}`
  })
  return `<div class="months">${rows.join("")}</div>`
}

function historyTable(items) {
  if (!items.length) return `<p class="muted">Never materialized.</p>`
  return `<table><tr><th>partition</th><th>rows</th><th>data version</th><th>ended</th></tr>${items
    .map((m) => `<tr class="materialization" data-id="${esc(m.id)}" title="walk lineage from ${esc(m.id)}"><td>${esc(m.partition ?? "—")}</td><td>${m.rowCount}</td><td><code>${esc(m.dataVersion)}</code></td><td>${esc(when(m.endedAt))}</td></tr>`)
    .join("")}</table>`
}

async function startRun(selection) {
  const res = await fetch("/api/runs", { method: "POST", headers: headers({ "Content-Type": "application/json" }), body: JSON.stringify({ selection }) })
  const body = await res.json()
  if (res.status !== 202) throw new Error(body.message)
  const log = $("#run-log")
  log.hidden = false
  log.textContent = `run ${body.runId} started\n`
  state.log = { asset: selection, text: log.textContent }
  // EventSource cannot send a bearer token: read the event stream with fetch
  const stream = await fetch(body.links.stream, { headers: headers() })
  const reader = stream.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ""
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    buffer += value
    const blocks = buffer.split("\n\n")
    buffer = blocks.pop()
    for (const block of blocks) {
      const event = /^event: (.*)$/m.exec(block)?.[1]
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "null")
      log.textContent += event === "end" ? `run ${data.status.toLowerCase()}\n` : `${data.type.toLowerCase()} ${at(data.asset ?? "", data.partition)} ${data.message}\n`
      log.scrollTop = log.scrollHeight
      state.log.text = log.textContent
    }
  }
  await refresh()
  await selectAsset(selection)
}

// ---- lineage: one materialization in focus, what it read and what read it one hop away, and its rows
async function walkTo(id, fresh = false) {
  const [up, down] = await Promise.all([
    api(`/api/materializations/${encodeURIComponent(id)}/lineage?direction=upstream&depth=1`),
    api(`/api/materializations/${encodeURIComponent(id)}/lineage?direction=downstream&depth=1`)
  ])
  const focus = up.nodes.find((n) => n.id === id)
  if (fresh) state.trail = []
  const known = state.trail.findIndex((n) => n.id === id)
  state.trail = known >= 0 ? state.trail.slice(0, known + 1) : [...state.trail, focus]
  const el = $("#lineage")
  el.hidden = false
  const hop = (n, dir) =>
    `<button class="hop hop-${dir}" data-id="${esc(n.id)}" data-asset="${esc(n.asset)}" data-kind="${n.kind}" ${n.kind === "observation" ? "disabled" : ""}>
      <span class="k">${esc(at(n.asset, n.partition))}</span> <span class="small muted">${n.kind === "observation" ? "source observation" : `${n.rowCount} rows`} · v ${esc(n.dataVersion)}</span></button>`
  const ups = up.nodes.filter((n) => n.depth === 1).sort((a, b) => a.asset.localeCompare(b.asset) || String(a.partition).localeCompare(String(b.partition)))
  const downs = down.nodes.filter((n) => n.depth === 1).sort((a, b) => a.asset.localeCompare(b.asset) || String(a.partition).localeCompare(String(b.partition)))
  el.innerHTML = `
    <div class="crumbs">lineage: ${state.trail.map((n) => `<button data-id="${esc(n.id)}">${esc(at(n.asset, n.partition))}</button>`).join(" → ")}</div>
    <div class="walk">
      <div><h3>Read (upstream)</h3>${ups.map((n) => hop(n, "up")).join("") || "<p class='muted'>nothing: a source's data</p>"}</div>
      <div class="card focus" id="focus" data-id="${esc(focus.id)}" data-asset="${esc(focus.asset)}" data-partition="${esc(focus.partition ?? "")}">
        <h2>${esc(at(focus.asset, focus.partition))}</h2>
        <div class="small muted">materialization ${esc(focus.id)} · run ${esc(focus.runId)} · ${esc(when(focus.at))}<br>data version <code>${esc(focus.dataVersion)}</code> · ${focus.rowCount} rows</div>
        <div class="preview" id="preview">loading rows…</div>
      </div>
      <div><h3>Read by (downstream)</h3>${downs.map((n) => hop(n, "down")).join("") || "<p class='muted'>nothing has read it yet</p>"}</div>
    </div>`
  for (const b of el.querySelectorAll(".hop:not([disabled]), .crumbs button")) b.addEventListener("click", guard(() => walkTo(b.dataset.id)))
  el.scrollIntoView({ behavior: "instant", block: "nearest" })
  const p = await api(`/api/materializations/${encodeURIComponent(id)}/preview?limit=10`)
  $("#preview").innerHTML = `${p.note ? `<p class="note">${esc(p.note)}</p>` : ""}
    <table><tr>${p.columns.map((c) => `<th title="${esc(c.type)}">${esc(c.name)}</th>`).join("")}</tr>${p.rows
      .map((r) => `<tr>${p.columns.map((c) => `<td>${esc(Array.isArray(r[c.name]) ? r[c.name].join(", ") : r[c.name] ?? "")}</td>`).join("")}</tr>`)
      .join("")}</table>`
}

async function refresh() {
  const [graph, list] = await Promise.all([api("/api/graph"), api("/api/assets")])
  state.graph = graph
  state.assets = new Map(list.assets.map((a) => [a.key, a]))
  drawGraph()
}

async function main() {
  const token = $("#token")
  token.value = sessionStorage.getItem("assets-token") ?? ""
  token.addEventListener("change", () => (token.value ? sessionStorage.setItem("assets-token", token.value) : sessionStorage.removeItem("assets-token")))
  $("#project").textContent = (await api("/api/health")).project
  await refresh()
  document.body.dataset.ready = "true"
}

main().catch(showError)
