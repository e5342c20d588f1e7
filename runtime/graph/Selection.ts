import { Data, Either } from "effect"
import type { AssetKey } from "../asset/AssetKey.js"
import type { AssetGraph } from "./AssetGraph.js"
import { closest } from "./closest.js"

export class SelectionError extends Data.TaggedError("SelectionError")<{
  readonly message: string
  readonly suggestions: ReadonlyArray<string>
}> {}

/** One clause of a selection: `key`, `+key`, `key+`, `N+key`, `key+N`, `+key+`. */
export interface Clause {
  readonly key: string
  /** how far upstream: 0 none, Infinity all */
  readonly up: number
  readonly down: number
}

const clauseRe = /^(?:(\d*)\+)?([a-z][a-z0-9_/]*)(?:\+(\d*))?$/

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
          message: `'${part}' is not a selection clause: use key, +key (with upstream), key+ (with downstream), 2+key or key+2 (to a depth)`,
          suggestions: []
        })
      )
    }
    const hasUp = part.includes("+") && part.indexOf("+") < part.indexOf(m[2]!)
    const hasDown = part.endsWith("+") || /\+\d+$/.test(part)
    clauses.push({
      key: m[2]!,
      up: !hasUp ? 0 : m[1] ? Number(m[1]) : Infinity,
      down: !hasDown ? 0 : m[3] ? Number(m[3]) : Infinity
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
    for (const c of clauses) {
      if (!graph.has(c.key)) {
        const suggestions = closest(c.key, [...graph.defs.keys()])
        return Either.left(
          new SelectionError({
            message: `unknown asset '${c.key}'${suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => `'${s}'`).join(", ")}?` : ""} (assets list shows every key)`,
            suggestions
          })
        )
      }
      selected.add(c.key)
      walk(graph, c.key, c.up, "in", selected)
      walk(graph, c.key, c.down, "out", selected)
    }
    return Either.right(graph.order.filter((k) => selected.has(k)))
  })

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
