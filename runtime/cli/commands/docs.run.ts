import { writeFile } from "node:fs/promises"
import { Console, Effect, Either, Option } from "effect"
import { resolveSelection, SelectionError } from "../../graph/Selection.js"
import { Project } from "../../project/Project.js"
import { erdOf, erdSvg } from "../../docs/erd.js"

/** `assets docs`'s handler, loaded when the command runs (docs.ts defines the command). */
export const docs = (args: { readonly erd: boolean; readonly out: Option.Option<string>; readonly selection: Option.Option<string> }) =>
  Effect.gen(function* () {
    const { name, graph } = yield* Project
    if (!args.erd) {
      return yield* new SelectionError({ message: "say which document: --erd (an entity-relation diagram of the tables, SVG)", suggestions: [] })
    }
    const keys = Option.isSome(args.selection)
      ? yield* Either.match(resolveSelection(graph, args.selection.value), { onLeft: Effect.fail, onRight: Effect.succeed })
      : graph.order
    const chosen = new Set<string>(keys)
    const erd = erdOf(graph.order.filter((k) => chosen.has(k)).map((k) => graph.get(k)))
    const svg = erdSvg(erd, `${name}: ${erd.tables.length} tables, ${erd.relations.length} relations`)
    if (Option.isNone(args.out)) return yield* Console.log(svg.trimEnd())
    const file = args.out.value
    yield* Effect.tryPromise({ try: () => writeFile(file, svg), catch: (cause) => new Error(`cannot write ${file}: ${String(cause)}`) })
    yield* Console.log(`wrote ${file}: ${erd.tables.length} tables, ${erd.relations.length} relations`)
  })
