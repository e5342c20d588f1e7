import { describe, expect, it } from "vitest"
import { gantt, type Step } from "../../ui-api/page/src/gantt.js"
import { fit, zoomAt, MAX_K } from "../../ui-api/page/src/graph/zoom.js"
import { extendPick, healthCells, pickedRange } from "../../ui-api/page/src/healthBar.js"
import { parseRoute } from "../../ui-api/page/src/router.js"
import type { Health } from "../../ui-api/page/src/types.js"

const counts = (FRESH: number, MISSING = 0) => ({ FRESH, STALE: 0, MISSING, FAILED: 0, RUNNING: 0 })
const health: Health = {
  asset: "a",
  total: 9,
  counts: counts(6, 3),
  range: { from: "p1", to: "p9", offset: 0, count: 9 },
  buckets: [
    { from: "p1", to: "p3", partitions: 3, status: "FRESH", counts: counts(3) },
    { from: "p4", to: "p6", partitions: 3, status: "MISSING", counts: counts(0, 3) },
    { from: "p7", to: "p9", partitions: 3, status: "FRESH", counts: counts(3) }
  ]
}

describe("the page's pieces", () => {
  it("zoom keeps the point under the cursor still, within bounds; fit never enlarges", () => {
    const t = zoomAt({ x: 10, y: 20, k: 1 }, 2, 110, 70)
    // the drawing's point (100, 50) was at (110, 70) and stays there
    expect(100 * t.k + t.x).toBeCloseTo(110)
    expect(50 * t.k + t.y).toBeCloseTo(70)
    expect(zoomAt({ x: 0, y: 0, k: 2 }, 100, 0, 0).k).toBe(MAX_K)
    expect(fit({ width: 100, height: 100 }, { width: 1000, height: 800 }).k).toBe(1)
    const small = fit({ width: 4000, height: 1000 }, { width: 1000, height: 800 })
    expect(4000 * small.k).toBeLessThanOrEqual(1000)
  })

  it("the health bar: a pick spans cells, shift extends it, its range runs from the first partition to the last", () => {
    const pick = extendPick(extendPick(undefined, 2, false), 0, true)
    expect(pick).toEqual({ first: 0, last: 2 })
    expect(extendPick(pick, 1, false)).toEqual({ first: 1, last: 1 })
    expect(pickedRange(health, { first: 1, last: 2 })).toEqual({ from: "p4", to: "p9", partitions: 6 })
    const html = healthCells(health, { first: 1, last: 1 }, (b) => b.from === "p7")
    expect(html.match(/class="hb-cell/g)!.length).toBe(3)
    expect(html).toContain('class="hb-cell MISSING picked"')
    expect(html).toContain('data-from="p7" data-to="p9" data-status="RUNNING"')
  })

  it("the timeline puts each step where it ran; a running step ends now; a step of no time still shows", () => {
    const step = (asset: string, s: number | null, e: number | null, state: Step["state"]): Step => ({
      asset,
      partition: null,
      state,
      startedAt: s === null ? null : new Date(s).toISOString(),
      endedAt: e === null ? null : new Date(e).toISOString(),
      durationMs: s !== null && e !== null ? e - s : null,
      rows: null,
      message: ""
    })
    const axis = gantt({ startedAt: new Date(0).toISOString(), endedAt: null }, [step("a", 0, 500, "succeeded"), step("b", 500, null, "running"), step("c", null, 250, "fresh")], 1000)
    expect(axis.span).toBe(1000)
    expect(axis.bars.map((b) => [b.left, b.width])).toEqual([
      [0, 50],
      [50, 50],
      [25, 0.4]
    ])
    expect(axis.bars[1]!.ms).toBe(500)
    expect(axis.bars[2]!.ms).toBeNull()
  })

  it("each page URL names its view; keys come back decoded", () => {
    expect(parseRoute("/").view).toBe("graph")
    expect(parseRoute("/assets/a%2Fb")).toMatchObject({ view: "asset", param: "a/b" })
    expect(parseRoute("/runs", "?status=FAILURE").query.get("status")).toBe("FAILURE")
    expect(parseRoute("/runs/r1")).toMatchObject({ view: "run", param: "r1" })
    expect(parseRoute("/backfills/").view).toBe("backfills")
    expect(parseRoute("/backfills/b1")).toMatchObject({ view: "backfill", param: "b1" })
    expect(parseRoute("/lineage/m1")).toMatchObject({ view: "lineage", param: "m1" })
    expect(parseRoute("/nope/x").view).toBe("missing")
  })
})
