import { existsSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { chromium, type Browser, type Page } from "playwright-core"

/** Debian's Chromium, driven by playwright-core (no browser download on these machines). */
export const CHROMIUM = "/usr/bin/chromium"
export const chromiumAvailable = existsSync(CHROMIUM)

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
  })

/** Where a browser test saves its screenshots: screenshots/<name>/ at the repository's root (ignored by git). */
export const screenshotDir = (name: string): string => {
  const dir = join(import.meta.dirname, "..", "..", "screenshots", name)
  mkdirSync(dir, { recursive: true })
  return dir
}

/**
 * Elements that stick out of their container: the page wider than the window, or an element whose box passes its
 * parent's right edge while no ancestor between clips or scrolls it. Returns a line for each (at most 20).
 */
export const overflowing = (page: Page): Promise<Array<string>> =>
  page.evaluate(() => {
    const out: Array<string> = []
    const doc = document.documentElement
    if (doc.scrollWidth > window.innerWidth + 1) out.push(`the page is ${doc.scrollWidth}px wide in a ${window.innerWidth}px window`)
    const name = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.className && typeof el.className === "string" ? `.${el.className.trim().split(/\s+/).join(".")}` : ""}`
    const clips = (el: Element) => {
      const s = getComputedStyle(el)
      return s.overflowX !== "visible" || s.overflow !== "visible"
    }
    for (const el of Array.from(document.querySelectorAll("body *"))) {
      const box = el.getBoundingClientRect()
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).position === "fixed") continue
      const parent = el.parentElement
      if (parent === null || parent === document.body) continue
      let clipped = false
      for (let a: Element | null = parent; a && a !== document.body; a = a.parentElement) if (clips(a)) clipped = true
      if (clipped || el.closest("svg") !== null) continue
      const p = parent.getBoundingClientRect()
      if (box.right > p.right + 1 || box.left < p.left - 1) out.push(`${name(el)} (${Math.round(box.left)}..${Math.round(box.right)}) outside ${name(parent)} (${Math.round(p.left)}..${Math.round(p.right)})`)
      if (out.length >= 20) break
    }
    return out
  })
