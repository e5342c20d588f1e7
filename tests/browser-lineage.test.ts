import { existsSync } from "node:fs"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { chromium, type Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { listen } from "../ui-api/server.js"
import { apiFixture, type ApiFixture } from "./api-fixture.js"
import { screenshotDir } from "./support/browser.js"

const CHROMIUM = "/usr/bin/chromium"
const available = existsSync(CHROMIUM)
if (!available && !process.env["CI"]) console.log(`browser test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`)

describe.skipIf(!available && !process.env["CI"])("the web page in Chromium", () => {
  let f: ApiFixture
  let scope: Scope.CloseableScope
  let url: string
  let browser: Browser

  beforeAll(async () => {
    f = await apiFixture()
    scope = Effect.runSync(Scope.make())
    url = (await Effect.runPromise(Scope.extend(listen(f.runtime, { host: "127.0.0.1", port: 0 }), scope))).url
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
    })
  })
  afterAll(async () => {
    await browser?.close()
    if (scope) await Effect.runPromise(Scope.close(scope, Exit.void))
    await f?.dispose()
  })

  it("draws the graph by status, opens an asset and walks lineage upstream one hop at a time to raw_film, each hop a URL", async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } })
    const errors: Array<string> = []
    page.on("pageerror", (e) => errors.push(e.message))
    await page.goto(url)
    await page.waitForSelector("#view[data-ready=true]", { timeout: 10_000 })

    expect(await page.locator("#graph .node[data-asset]").count()).toBe(f.project.graph.order.length)
    expect(await page.getAttribute('#graph .node[data-asset="streaming_films"]', "data-status")).toBe("FRESH")
    expect(await page.getAttribute('#graph .node[data-asset="state_report"]', "data-status")).toBe("MISSING")
    expect(await page.getAttribute('#graph .node[data-asset="state_report"]', "class")).toContain("MISSING")

    await page.click('#graph .node[data-asset="streaming_films"]')
    await page.waitForSelector('.asset-page[data-asset="streaming_films"]')
    expect(page.url()).toBe(`${url}/assets/streaming_films`)
    expect(await page.locator(".hb-cell[data-from]").count()).toBe(4)
    await page.waitForSelector("#history-rows tr.materialization")
    const row = page.locator("#history-rows tr.materialization", { has: page.locator("td:first-child", { hasText: "2023-03" }) }).first()
    await row.locator("a.lineage-link").click()

    const focus = async (asset: string) => {
      await page.waitForSelector(`#focus[data-asset="${asset}"]`, { timeout: 10_000 })
      await page.waitForSelector("#preview table tr:nth-child(2)", { timeout: 10_000 })
    }
    await focus("streaming_films")
    expect(await page.getAttribute("#focus", "data-partition")).toBe("2023-03")
    expect(await page.locator(".hop-up").evaluateAll((bs) => bs.map((b) => (b as HTMLElement).dataset["asset"]))).toEqual(["film_category", "streaming_partitions"])

    for (const [from, to] of [["streaming_films", "film_category"], ["film_category", "clean_film"], ["clean_film", "raw_film"]] as const) {
      expect(await page.getAttribute("#focus", "data-asset")).toBe(from)
      await page.click(`.hop-up[data-asset="${to}"]`)
      await focus(to)
    }
    expect(await page.locator(".crumbs button").allTextContents()).toEqual(["streaming_films[2023-03]", "film_category", "clean_film", "raw_film"])
    // raw_film read the source table: an observation, the end of the walk
    expect(await page.getAttribute('.hop-up[data-asset="sakila_film"]', "data-kind")).toBe("observation")
    expect(await page.locator('.hop-up[data-asset="sakila_film"]').isDisabled()).toBe(true)
    expect(await page.locator(".hop-down[data-asset='clean_film']").count()).toBe(1)
    expect(await page.locator("#preview th").first().textContent()).toBe("film_id")
    expect(await page.locator("#preview table tr").count()).toBe(11)

    await page.screenshot({ path: join(screenshotDir("lineage"), "lineage-walk.png"), fullPage: true })
    expect(errors).toEqual([])
  })

  it("starts a materialization of a missing asset from its page and follows it live until the page and the graph show it fresh", async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } })
    const errors: Array<string> = []
    page.on("pageerror", (e) => errors.push(e.message))
    await page.goto(url)
    await page.waitForSelector("#view[data-ready=true]", { timeout: 10_000 })
    await page.click('#graph .node[data-asset="state_report"]')
    await page.waitForSelector('.asset-page[data-asset="state_report"]')
    expect(await page.locator("#causes").textContent()).toContain("never materialized")
    await page.click("#materialize")
    await page.waitForSelector("#asset-status .badge[data-status=FRESH]", { timeout: 60_000 })
    await page.waitForSelector("#causes p.ok:has-text('Every partition is fresh')")
    await page.waitForSelector("#run-list .run-line")
    await page.goBack()
    await page.waitForSelector('#graph .node[data-asset="state_report"][data-status="FRESH"]', { timeout: 10_000 })
    await page.screenshot({ path: join(screenshotDir("lineage"), "materialize.png"), fullPage: true })
    expect(errors).toEqual([])
  })
})
