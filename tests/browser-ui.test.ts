import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { listen } from "../ui-api/server.js"
import { chromiumAvailable, CHROMIUM, launchChromium, overflowing, screenshotDir } from "./support/browser.js"
import { uiFixture, uiKnobs, type UiFixture } from "./support/uiProject.js"

if (!chromiumAvailable && !process.env["CI"]) console.log(`browser test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`)

/**
 * The web page in real Chromium over the Sakila project (plus a slow and a failing test asset): deep links, the
 * health bar launching a month live, the run timeline, a backfill canceled and resumed from its page, a failure
 * with its whole error, search and selection on the graph, and nothing overflowing at 1280 and 1920 px.
 * Screenshots go to screenshots/ui/.
 */
describe.skipIf(!chromiumAvailable && !process.env["CI"])("the web page in Chromium", () => {
  let f: UiFixture
  let scope: Scope.CloseableScope
  let url: string
  let browser: Browser
  const shots = screenshotDir("ui")
  const errors: Array<string> = []

  beforeAll(async () => {
    f = await uiFixture()
    scope = Effect.runSync(Scope.make())
    url = (await Effect.runPromise(Scope.extend(listen(f.runtime, { host: "127.0.0.1", port: 0 }), scope))).url
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    if (scope) await Effect.runPromise(Scope.close(scope, Exit.void))
    await f?.dispose()
  })

  const open = async (path: string, width = 1440, height = 1000): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width, height } })
    page.on("pageerror", (e) => errors.push(`${path}: ${e.message}`))
    await page.goto(`${url}${path}`)
    await page.waitForSelector("#view[data-ready=true]", { timeout: 20_000 })
    return page
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true })

  it("opens /assets/streaming_films directly: definition, columns, status, a health bar of its months, materializations with metadata", async () => {
    const page = await open("/assets/streaming_films")
    expect(await page.title()).toContain("streaming_films")
    expect(await page.locator(".asset-page h1 .key").textContent()).toBe("streaming_films")
    expect(await page.getAttribute("#asset-status .badge", "data-status")).toBe("FRESH")
    expect(await page.locator("#schema td code").allTextContents()).toContain("film_id")
    expect(await page.locator(".hb-cell").evaluateAll((cells) => cells.map((c) => (c as HTMLElement).dataset["from"]))).toEqual(["2023-01", "2023-02", "2023-03", "2023-04"])
    expect(await page.locator(".hb-cell[data-status=FRESH]").count()).toBe(4)
    await page.waitForSelector("#history-rows tr.materialization")
    expect(await page.locator("#history-rows tr.materialization").count()).toBeGreaterThanOrEqual(4)
    expect(await page.locator("#causes").textContent()).toContain("Every partition is fresh")
    // the checks, when the API has them (GET /api/assets/{key}/checks): shown for an asset that has checks, else nothing
    const checks = await fetch(`${url}/api/assets/streaming_films/checks`)
    const definitions = checks.ok ? ((await checks.json()) as { definitions?: Array<{ name: string }> }).definitions ?? [] : []
    if (definitions.length > 0) {
      await page.waitForSelector("#checks:not([hidden]) tr.check")
      for (const d of definitions) expect(await page.locator("#check-rows").textContent()).toContain(d.name)
    } else expect(await page.locator("#checks").isHidden()).toBe(true)
    await page.waitForSelector("#run-list .run-line")
    await shot(page, "asset-streaming_films")
    await page.close()
  })

  it("draws the graph by status with groups as boxes; zooms; search finds a key and opens it; a selection highlights its assets", async () => {
    const page = await open("/")
    const assets = f.project.graph.order.length
    expect(await page.locator("#graph .node[data-asset]").count()).toBe(assets)
    expect(await page.getAttribute('#graph .node[data-asset="streaming_films"]', "data-status")).toBe("FRESH")
    expect(await page.getAttribute('#graph .node[data-asset="state_report"]', "data-status")).toBe("MISSING")
    expect(await page.getAttribute('#graph .node[data-asset="sakila_film"]', "data-status")).toBe("SOURCE")
    const groups = new Set(f.project.graph.order.map((k) => f.project.graph.get(k).group))
    expect(await page.locator("#graph .group-box").count()).toBe(groups.size)
    await shot(page, "graph")

    const before = await page.getAttribute("#viewport", "transform")
    await page.click("#zoom-in")
    expect(await page.getAttribute("#viewport", "transform")).not.toBe(before)
    await page.click("#zoom-fit")

    await page.fill("#selection", "+streaming_films")
    await page.click("#selection-form button[type=submit]")
    await page.waitForSelector("#graph .node.in-selection")
    const selected = await page.locator("#graph .node.in-selection").evaluateAll((ns) => ns.map((n) => (n as HTMLElement).dataset["asset"]).sort())
    const expected = (await (await fetch(`${url}/api/selection?selection=%2Bstreaming_films`)).json()) as { keys: Array<string> }
    expect(selected).toEqual([...expected.keys].sort())
    expect(await page.locator("#selection-info").textContent()).toBe(`${expected.keys.length} assets selected`)
    await shot(page, "graph-selection")
    expect(await page.locator("#clear-selection").isVisible()).toBe(true)
    await page.fill("#selection", "streaming_flims")
    await page.click("#selection-form button[type=submit]")
    await page.waitForSelector("#selection-info.problem")
    expect(await page.locator("#selection-info").textContent()).toContain("streaming_films")
    expect(await page.locator("#graph .node.in-selection").count()).toBe(0)
    await page.fill("#selection", "")
    await page.click("#selection-form button[type=submit]")

    await page.fill("#search", "streaming_fi")
    await page.waitForSelector('#search-results a[data-key="streaming_films"]')
    expect(await page.locator("#graph .node.match").evaluateAll((ns) => ns.map((n) => (n as HTMLElement).dataset["asset"]))).toEqual(["streaming_films"])
    await shot(page, "graph-search")
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42))
    await page.click('#search-results a[data-key="streaming_films"]')
    await page.waitForURL(`${url}/assets/streaming_films`)
    await page.waitForSelector('.asset-page[data-asset="streaming_films"]')
    // the history API: no page load on the way
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42)
    await page.goBack()
    await page.waitForSelector("#graph .node[data-asset]")
    await page.close()
  })

  it("launches one month from the health bar and watches it turn RUNNING, then FRESH, without a reload; then its run's timeline", async () => {
    uiKnobs.slowMs = 2500
    const page = await open("/assets/slow_films")
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7))
    expect(await page.getAttribute('.hb-cell[data-from="2023-02"]', "data-status")).toBe("MISSING")
    await page.click('.hb-cell[data-from="2023-02"]')
    expect(await page.locator("#hb-launch").textContent()).toBe("Materialize 2023-02")
    await page.click("#hb-launch")
    await page.waitForSelector('.hb-cell[data-from="2023-02"][data-status=RUNNING]', { timeout: 10_000 })
    expect(await page.locator("#materialize").isDisabled()).toBe(true)
    expect(await page.getAttribute("#asset-status .badge", "data-status")).toBe("RUNNING")
    // the other months are not running
    expect(await page.getAttribute('.hb-cell[data-from="2023-03"]', "data-status")).toBe("MISSING")
    await shot(page, "health-bar-running")
    await page.waitForSelector('.hb-cell[data-from="2023-02"][data-status=FRESH]', { timeout: 30_000 })
    await page.waitForFunction(() => !(document.querySelector("#materialize") as HTMLButtonElement).disabled)
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7)
    await page.waitForSelector("#history-rows tr.materialization")
    await shot(page, "health-bar-fresh")

    // its run, from the asset's runs: every step on the timeline with its duration
    await page.click("#run-list .run-line a")
    await page.waitForSelector(".run-page")
    const runId = (await page.getAttribute(".run-page", "data-run"))!
    const run = (await (await fetch(`${url}/api/runs/${runId}`)).json()) as { steps: Array<{ asset: string; partition: string | null; durationMs: number | null }> }
    expect(run.steps.length).toBeGreaterThan(0)
    expect(await page.locator(".gantt-row[data-asset]").count()).toBe(run.steps.length)
    for (const s of run.steps) {
      const row = page.locator(`.gantt-row[data-asset="${s.asset}"][data-partition="${s.partition ?? ""}"]`)
      expect(await row.count()).toBe(1)
      const text = (await row.locator(".gantt-duration").textContent()) ?? ""
      if (s.durationMs !== null) expect(text).toMatch(/\d+(\.\d)? (ms|s)|\d+ min/)
    }
    const slow = run.steps.find((s) => s.asset === "slow_films")!
    expect(slow.durationMs).toBeGreaterThanOrEqual(2500)
    const width = await page.locator('.gantt-row[data-asset="slow_films"] .gantt-bar').evaluate((b) => parseFloat((b as HTMLElement).style.width))
    expect(width).toBeGreaterThan(50)
    expect(await page.locator("table.log tr.log-line").count()).toBeGreaterThan(run.steps.length)
    await shot(page, "run-timeline")
    await page.close()
  })

  it("starts a backfill, cancels it from its page, resumes it and sees it complete", async () => {
    uiKnobs.slowMs = 1500
    const page = await open("/backfills")
    await page.fill("#new-backfill input[name=selection]", "slow_films")
    await page.fill("#new-backfill input[name=from]", "2023-01")
    await page.fill("#new-backfill input[name=to]", "2023-04")
    await page.check("#new-backfill input[name=force]")
    await page.fill("#new-backfill input[name=concurrency]", "1")
    await page.click("#new-backfill button[type=submit]")
    await page.waitForSelector(".backfill-page")
    expect(page.url()).toMatch(/\/backfills\/[^/]+$/)
    await page.waitForSelector("#backfill-status .badge[data-status=RUNNING]", { timeout: 10_000 })
    await page.waitForSelector("td.g.running", { timeout: 10_000 })
    await shot(page, "backfill-running")
    await page.click("#cancel-backfill")
    await page.waitForSelector("#backfill-status .badge[data-status=CANCELED]", { timeout: 10_000 })
    // the task that was running finishes; nothing new starts
    await page.waitForFunction(() => document.querySelectorAll("td.g.running").length === 0, undefined, { timeout: 20_000 })
    expect(await page.locator("td.g.pending").count()).toBeGreaterThan(0)
    expect(await page.locator("#resume-backfill").isDisabled()).toBe(false)
    expect(await page.locator("#cancel-backfill").isDisabled()).toBe(true)
    await shot(page, "backfill-canceled")
    uiKnobs.slowMs = 100
    await page.click("#resume-backfill")
    await page.waitForSelector("#backfill-status .badge[data-status=COMPLETED]", { timeout: 30_000 })
    await page.waitForFunction(() => document.querySelectorAll("td.g.succeeded, td.g.skipped").length === 4, undefined, { timeout: 10_000 })
    expect(await page.locator('.state-count[data-state=succeeded] b').textContent()).toBe("4")
    expect(await page.locator("#resume-backfill").isDisabled()).toBe(true)
    await shot(page, "backfill-completed")
    await page.goto(`${url}/backfills`)
    await page.waitForSelector("#backfill-rows .badge[data-status=COMPLETED]")
    await shot(page, "backfills")
    await page.close()
  })

  it("a run that fails shows FAILED with its whole error on the asset page", async () => {
    uiKnobs.failUpload = true
    try {
      const page = await open("/assets/partner_upload")
      await page.click("#materialize")
      await page.waitForSelector("#asset-status .badge[data-status=FAILED]", { timeout: 30_000 })
      const detail = page.locator("details.cause").first()
      await page.waitForSelector("details.cause pre.error")
      expect(await detail.getAttribute("open")).not.toBeNull()
      const error = (await detail.locator("pre.error").textContent()) ?? ""
      expect(error).toContain("HTTP 503")
      expect(error).toContain("retry-after: 30 s")
      expect(error).toContain("request id: req-42")
      // the failure leads, not "never materialized"
      expect(await detail.locator("summary").textContent()).toContain("the partner refused the upload: HTTP 503")
      await shot(page, "asset-failed")
      // the run page names it too, with the whole error in its log
      await page.click("details.cause a[href^='/runs/']")
      await page.waitForSelector(".run-page")
      expect(await page.getAttribute("#run-status .badge", "data-status")).toBe("FAILURE")
      expect(await page.getAttribute('.gantt-row[data-asset="partner_upload"]', "data-state")).toBe("failed")
      expect(await page.locator("tr.STEP_FAILURE pre.message").textContent()).toContain("request id: req-42")
      await shot(page, "run-failed")
      await page.close()
    } finally {
      uiKnobs.failUpload = false
    }
  })

  it("walks lineage from a materialization, the downstream side grouped by asset", async () => {
    const [m] = ((await (await fetch(`${url}/api/assets/clean_film/materializations?limit=1`)).json()) as { items: Array<{ id: string }> }).items
    const page = await open(`/lineage/${m!.id}`)
    await page.waitForSelector("#preview table tr:nth-child(2)")
    expect(await page.getAttribute("#focus", "data-asset")).toBe("clean_film")
    expect(await page.locator(".hop-up").evaluateAll((bs) => bs.map((b) => (b as HTMLElement).dataset["asset"]))).toEqual(["raw_film"])
    const groups = await page.locator(".walk-side:last-child .hop-group").evaluateAll((gs) => gs.map((g) => (g as HTMLElement).dataset["asset"]))
    expect(groups).toEqual([...new Set(groups)])
    expect(groups).toContain("film_category")
    await page.click('.hop-up[data-asset="raw_film"]')
    await page.waitForSelector('#focus[data-asset="raw_film"]')
    expect(await page.locator(".crumbs button").allTextContents()).toEqual(["clean_film", "raw_film"])
    await shot(page, "lineage")
    await page.close()
  })

  it("no element overflows its container at 1280 and 1920 px, on every page", async () => {
    const runs = (await (await fetch(`${url}/api/runs?limit=1`)).json()) as { items: Array<{ id: string }> }
    const backfills = (await (await fetch(`${url}/api/backfills?limit=1`)).json()) as { items: Array<{ id: string }> }
    const [m] = ((await (await fetch(`${url}/api/assets/streaming_films/materializations?limit=1`)).json()) as { items: Array<{ id: string }> }).items
    const paths = [
      "/",
      "/assets/streaming_films",
      "/assets/partner_upload",
      "/assets/sakila_film",
      "/runs",
      `/runs/${runs.items[0]!.id}`,
      "/backfills",
      `/backfills/${backfills.items[0]!.id}`,
      `/lineage/${m!.id}`
    ]
    for (const width of [1280, 1920]) {
      for (const path of paths) {
        const page = await open(path, width, 900)
        await page.waitForTimeout(400)
        const out = await overflowing(page)
        expect(out, `${path} at ${width}px: ${out.join("; ")}`).toEqual([])
        if (width === 1280) await shot(page, `w1280${path.replace(/\//g, "_").replace(/_$/, "") || "_graph"}`)
        await page.close()
      }
    }
    expect(errors).toEqual([])
  })
})
