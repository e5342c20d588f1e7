import { Console, Effect, type Option } from "effect"
import { lineage as lineageOf, type Lineage } from "../../lineage/lineage.js"
import { at } from "../format.js"
import { latestOf, neverMaterialized } from "./partitionArgs.js"

/** The lineage as an indented tree from the root. */
const tree = (l: Lineage): string => {
  const byId = new Map(l.nodes.map((n) => [n.id, n]))
  const children = new Map<string, Array<string>>()
  const upstream = l.edges.every((e) => byId.get(e.from)!.depth < byId.get(e.to)!.depth)
  for (const e of l.edges) {
    const [parent, child] = upstream ? [e.from, e.to] : [e.to, e.from]
    children.set(parent, [...(children.get(parent) ?? []), child])
  }
  const out: Array<string> = []
  const seen = new Set<string>()
  const walk = (id: string, indent: string) => {
    const n = byId.get(id)!
    const label = `${at(n.asset, n.partition)}  ${n.kind === "observation" ? "observed" : `${n.rowCount} rows`}  v=${n.dataVersion}${n.at ? `  ${n.at}` : ""}  (${n.id})`
    out.push(`${indent}${label}${seen.has(id) ? "  (see above)" : ""}`)
    if (seen.has(id)) return
    seen.add(id)
    for (const c of (children.get(id) ?? []).sort()) walk(c, indent + "  ")
  }
  walk(l.root, "")
  return out.join("\n")
}

/** `assets lineage`'s handler, loaded when the command runs (lineage.ts defines the command). */
export const lineage = (args: {
  readonly key: string
  readonly partition: Option.Option<string>
  readonly downstream: boolean
  readonly depth: number
  readonly json: boolean
}) =>
  Effect.gen(function* () {
    const { def, partition, latest } = yield* latestOf(args.key, args.partition)
    if (latest === undefined) return yield* neverMaterialized(def.key, partition)
    const l = yield* lineageOf(latest, args.downstream ? "downstream" : "upstream", args.depth)
    yield* Console.log(args.json ? JSON.stringify(l, null, 2) : tree(l))
  })
