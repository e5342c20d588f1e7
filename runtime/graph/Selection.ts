import { Data, Either } from "effect"
import type { AssetKey } from "../asset/AssetKey.js"
import type { AssetGraph } from "./AssetGraph.js"
import { closest } from "./closest.js"

export class SelectionError extends Data.TaggedError("SelectionError")<{
  readonly message: string
  readonly suggestions: ReadonlyArray<string>
}> {}

/**
 * One clause of a selection: `key`, `+key`, `key+`, `N+key`, `key+N`, `+key+`; instead of a key, `group:name`,
 * `tag:pii` (or `tag:k=v`) or a pattern with `*` (`*_report`); a clause starting with `-` removes what it selects.
 */
export interface Clause {
  /** a key, `group:x`, `tag:x` or a `*` pattern */
  readonly key: string
  readonly exclude: boolean
  /** how far upstream: 0 none, Infinity all */
  readonly up: number
  readonly down: number
}

const clauseRe = /^(-)?(?:(\d*)\+)?((?:group|tag):[A-Za-z0-9_.=-]+|[a-z*][a-z0-9_/*]*)(?:\+(\d*))?$/

export const parseSelection = (text: string): Either.Either<ReadonlyArray<Clause>, SelectionError> => {
  const parts = text.split(",").map((s) => s.trim()).filter((s) => s.length > 0)
  if (parts.length === 0) {
    return Either.left(new SelectionError({ message: "empty selection: name an asset, e.g. streaming_films or +category_report", suggestions: [] }))
  }
  const clauses: Array<Clause> = []
  for (const part of parts) {
    const m = clauseRe.exec(part)
    if (m === null) {
      return Either.left(
        new SelectionError({
          message: `'${part}' is not a selection clause: use key, +key (with upstream), key+ (with downstream), 2+key or key+2 (to a depth), group:name, tag:name, a pattern like *_report, and -clause to leave out`,
          suggestions: []
        })
      )
    }
    const body = m[1] ? part.slice(1) : part
    const hasUp = body.includes("+") && body.indexOf("+") < body.indexOf(m[3]!)
    const hasDown = body.endsWith("+") || /\+\d+$/.test(body)
    clauses.push({
      key: m[3]!,
      exclude: m[1] !== undefined,
      up: !hasUp ? 0 : m[2] ? Number(m[2]) : Infinity,
      down: !hasDown ? 0 : m[4] ? Number(m[4]) : Infinity
    })
  }
  return Either.right(clauses)
}

/** The keys a selection names, in the graph's topological order; an unknown key names the closest known ones. */
export const resolveSelection = (
  graph: AssetGraph,
  text: string
): Either.Either<ReadonlyArray<AssetKey>, SelectionError> =>
  Either.flatMap(parseSelection(text), (clauses) => {
    const selected = new Set<AssetKey>()
    const excluded = new Set<AssetKey>()
    if (clauses.every((c) => c.exclude)) {
      return Either.left(new SelectionError({ message: "a selection of only exclusions selects nothing: name what to select first, e.g. group:reports,-draft_report", suggestions: [] }))
    }
    for (const c of clauses) {
      const matched = matching(graph, c.key)
      if (typeof matched === "string") {
        const suggestions = closest(c.key, [...graph.defs.keys()])
        return Either.left(
          new SelectionError({
            message: `${matched}${suggestions.length > 0 && !c.key.includes(":") ? `; did you mean ${suggestions.map((s) => `'${s}'`).join(", ")}?` : ""} (assets list shows every key)`,
            suggestions
          })
        )
      }
      const into = c.exclude ? excluded : selected
      for (const key of matched) {
        into.add(key)
        walk(graph, key, c.up, "in", into)
        walk(graph, key, c.down, "out", into)
      }
    }
    const result = graph.order.filter((k) => selected.has(k) && !excluded.has(k))
    if (result.length === 0) return Either.left(new SelectionError({ message: `'${text}' leaves no asset selected`, suggestions: [] }))
    return Either.right(result)
  })

/** The keys a clause's head names, or why it names none. */
const matching = (graph: AssetGraph, head: string): ReadonlyArray<AssetKey> | string => {
  const all = [...graph.defs.values()]
  if (head.startsWith("group:")) {
    const group = head.slice(6)
    const keys = all.filter((d) => d.group === group).map((d) => d.key)
    return keys.length > 0 ? keys : `no asset in group '${group}' (groups: ${[...new Set(all.map((d) => d.group))].sort().join(", ")})`
  }
  if (head.startsWith("tag:")) {
    const tag = head.slice(4)
    const keys = all.filter((d) => d.tags.includes(tag)).map((d) => d.key)
    const tags = [...new Set(all.flatMap((d) => d.tags))].sort()
    return keys.length > 0 ? keys : `no asset tagged '${tag}'${tags.length > 0 ? ` (tags: ${tags.join(", ")})` : " (no asset has tags)"}`
  }
  if (head.includes("*")) {
    const re = new RegExp(`^${head.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`)
    const keys = all.filter((d) => re.test(d.key)).map((d) => d.key)
    return keys.length > 0 ? keys : `no asset key matches '${head}'`
  }
  return graph.has(head) ? [head] : `unknown asset '${head}'`
}

/** Breadth-first to a depth, so `2+key` means parents and grandparents. */
const walk = (graph: AssetGraph, from: AssetKey, depth: number, dir: "in" | "out", into: Set<AssetKey>) => {
  let frontier: Array<AssetKey> = [from]
  for (let d = 0; d < depth && frontier.length > 0; d++) {
    const next: Array<AssetKey> = []
    for (const k of frontier) {
      const edges = dir === "in" ? graph.inputs(k) : graph.outputs(k)
      for (const e of edges) {
        const n = dir === "in" ? e.upstream : e.downstream
        if (!into.has(n)) {
          into.add(n)
          next.push(n)
        }
      }
    }
    frontier = next
  }
}
