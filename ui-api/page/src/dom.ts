/** Small helpers for building the page's HTML as text: escaping, times, durations, numbers. */

const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }

export const esc = (s: unknown): string => String(s ?? "").replace(/[&<>"']/g, (c) => entities[c]!)

/** `asset[partition]`, or the asset alone */
export const at = (asset: string, partition: string | null | undefined): string => (partition ? `${asset}[${partition}]` : asset)

export const when = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : "")

/** 850 ms, 12.3 s, 4 min 05 s, 2 h 03 min */
export const duration = (ms: number | null | undefined): string => {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return ""
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(1)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${String(Math.round(s % 60)).padStart(2, "0")} s`
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`
}

export const count = (n: number): string => n.toLocaleString("en")

export const bytes = (n: number): string => {
  const units = ["B", "KB", "MB", "GB", "TB"]
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`
}

export const $ = <E extends Element = HTMLElement>(selector: string, root: ParentNode = document): E | null => root.querySelector<E>(selector)
export const $$ = <E extends Element = HTMLElement>(selector: string, root: ParentNode = document): Array<E> => Array.from(root.querySelectorAll<E>(selector))

/** A path segment: keys may hold `/` (sent as %2F). */
export const seg = (s: string): string => encodeURIComponent(s)
