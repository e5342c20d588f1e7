import { Console, Effect, Either, Option } from "effect"
import { describeDecision } from "../../automation/daemon.js"
import { TickStore } from "../../automation/TickStore.js"
import { resolveSelection } from "../../graph/Selection.js"
import { Project } from "../../project/Project.js"

/** An asset named on the command line: unknown is a usage error naming the closest keys (exit 2). */
const assetArg = (name: string) =>
  Effect.flatMap(Project, ({ graph }) => Either.match(resolveSelection(graph, name), { onLeft: Effect.fail, onRight: () => Effect.succeed(name) }))

/** `assets ticks`'s handler (ticks.ts defines the command). */
export const ticks = (args: { readonly asset: Option.Option<string>; readonly limit: number; readonly json: boolean }) =>
  Effect.gen(function* () {
    const asset = Option.isSome(args.asset) ? yield* assetArg(args.asset.value) : undefined
    const list = yield* (yield* TickStore).ticks({ limit: Math.max(1, args.limit), ...(asset ? { asset } : {}) })
    if (args.json) return yield* Console.log(JSON.stringify(list, null, 2))
    if (list.length === 0) {
      return yield* Console.log(asset ? `no tick decided anything for ${asset} yet` : "no ticks yet: `assets daemon` (or `assets serve --daemon`) evaluates the automated assets")
    }
    yield* Console.log(
      list
        .map((t) => [`${t.startedAt} ${t.status} ${t.message} (tick ${t.id}, ${t.daemon})`, ...t.decisions.map((d) => `  ${describeDecision(d)}`)].join("\n"))
        .join("\n")
    )
  })
