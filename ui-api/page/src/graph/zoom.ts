/** Zoom and pan as a transform of the drawing: screen = drawing × k + (x, y). */
export interface Transform {
  readonly x: number
  readonly y: number
  readonly k: number
}

export const MIN_K = 0.05
export const MAX_K = 3

const clamp = (k: number) => Math.min(MAX_K, Math.max(MIN_K, k))

/** Zooms by `factor` keeping the screen point (px, py) over the same point of the drawing. */
export const zoomAt = (t: Transform, factor: number, px: number, py: number): Transform => {
  const k = clamp(t.k * factor)
  const ratio = k / t.k
  return { k, x: px - (px - t.x) * ratio, y: py - (py - t.y) * ratio }
}

/** The whole drawing in view, never enlarged past its natural size, centred across, from the top. */
export const fit = (content: { readonly width: number; readonly height: number }, view: { readonly width: number; readonly height: number }, pad = 16): Transform => {
  const k = clamp(Math.min(1, (view.width - 2 * pad) / Math.max(1, content.width), (view.height - 2 * pad) / Math.max(1, content.height)))
  return { k, x: (view.width - content.width * k) / 2, y: pad }
}

/** The drawing's point (cx, cy) brought to the middle of the view, at scale k. */
export const centreOn = (cx: number, cy: number, view: { readonly width: number; readonly height: number }, k: number): Transform => ({
  k,
  x: view.width / 2 - cx * k,
  y: view.height / 2 - cy * k
})

export const toSvg = (t: Transform) => `translate(${t.x.toFixed(2)},${t.y.toFixed(2)}) scale(${t.k.toFixed(4)})`
