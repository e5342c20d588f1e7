import { Console, Effect } from "effect"
import { Project } from "../../project/Project.js"

/** `assets list`'s handler, loaded when the command runs (list.ts defines the command). */
export const list = (args: { readonly json: boolean }) =>
  Effect.gen(function* () {
    const { graph } = yield* Project
    const rows = graph.order.map((k) => {
      const d = graph.get(k)
      return {
        key: k,
        kind: d._tag === "Source" ? "source" : "asset",
        group: d.group,
        partitions: d.partitions?.describe ?? null,
        tags: d.tags,
        inputs: graph.inputs(k).map((e) => ({ asset: e.upstream, mapping: e.mapping.describe })),
        codeVersion: d._tag === "Asset" ? d.codeVersion : null,
        description: d.description
      }
    })
    yield* Console.log(
      args.json
        ? JSON.stringify(rows, null, 2)
        : rows
            .map((r) => `${r.key.padEnd(24)} ${r.kind.padEnd(6)} ${(r.partitions ?? "").padEnd(22)} <- ${r.inputs.map((i) => i.asset).join(", ") || "-"}`)
            .join("\n")
    )
  })
