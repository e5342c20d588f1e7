import { Effect } from "effect"
import type { AssetGraph } from "../../runtime/graph/AssetGraph.js"
import { Project } from "../../runtime/project/Project.js"
import { ApiRouter } from "../route.js"
import { Graph } from "../schemas.js"
import type { ApiRuntime } from "../services.js"

/** Longest path from a root for each asset (the graph's order has every input first). */
export const levels = (graph: AssetGraph): ReadonlyMap<string, number> => {
  const level = new Map<string, number>()
  for (const k of graph.order) level.set(k, Math.max(-1, ...graph.inputs(k).map((e) => level.get(e.upstream) ?? 0)) + 1)
  return level
}

export const graphRouter = (runtime: ApiRuntime) => {
  const r = new ApiRouter("graph", runtime)
  let cached: typeof Graph.Type | undefined
  return r.route(
    {
      method: "get",
      path: "/graph",
      summary: "the asset graph: nodes and input edges with their partition mappings",
      responses: { 200: { description: "the graph", schema: Graph } },
      errors: [],
      access: "read"
    },
    async (c) => {
      cached ??= await r.run(
        Effect.map(Project, ({ graph }) => {
          const level = levels(graph)
          return {
            nodes: graph.order.map((key) => {
              const def = graph.get(key)
              return {
                key,
                kind: def._tag === "Source" ? ("source" as const) : ("asset" as const),
                group: def.group,
                description: def.description,
                partitioned: def.partitions !== undefined,
                level: level.get(key) ?? 0
              }
            }),
            edges: graph.order.flatMap((key) =>
              graph.inputs(key).map((e) => ({ from: e.upstream as string, to: e.downstream as string, name: e.name, mapping: e.mapping.describe }))
            )
          }
        })
      )
      return c.json(cached)
    }
  )
}
