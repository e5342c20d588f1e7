/** History-API routing: each page URL names a view; the server answers every one of them with this page. */

export interface Route {
  readonly view: "graph" | "asset" | "runs" | "run" | "backfills" | "backfill" | "lineage" | "missing"
  readonly param: string
  readonly query: URLSearchParams
}

const patterns: ReadonlyArray<readonly [RegExp, Route["view"]]> = [
  [/^\/$/, "graph"],
  [/^\/assets\/([^/]+)$/, "asset"],
  [/^\/runs\/?$/, "runs"],
  [/^\/runs\/([^/]+)$/, "run"],
  [/^\/backfills\/?$/, "backfills"],
  [/^\/backfills\/([^/]+)$/, "backfill"],
  [/^\/lineage\/([^/]+)$/, "lineage"]
]

export const parseRoute = (path: string, search = ""): Route => {
  for (const [re, view] of patterns) {
    const m = re.exec(path)
    if (m) return { view, param: m[1] ? decodeURIComponent(m[1]) : "", query: new URLSearchParams(search) }
  }
  return { view: "missing", param: path, query: new URLSearchParams(search) }
}

export const assetPath = (key: string) => `/assets/${encodeURIComponent(key)}`
export const runPath = (id: string) => `/runs/${encodeURIComponent(id)}`
export const backfillPath = (id: string) => `/backfills/${encodeURIComponent(id)}`
export const lineagePath = (id: string) => `/lineage/${encodeURIComponent(id)}`
