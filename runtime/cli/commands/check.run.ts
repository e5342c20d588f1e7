import { Console, Effect, Either, type Option } from "effect"
import { checkMaterialized } from "../../checks/checkMaterialized.js"
import { checkJson, checkLine } from "../../checks/describe.js"
import { resolveSelection } from "../../graph/Selection.js"
import { rangeFilter } from "../../partitions/rangeFilter.js"
import { Project } from "../../project/Project.js"
import { partitionContext } from "../../status/partitionContext.js"
import { at, plural } from "../format.js"
import { partitionRange } from "./partitionArgs.js"

/** `assets check`'s handler, loaded when the command runs (check.ts defines the command). */
export const check = (args: {
  readonly selection: string
  readonly partition: Option.Option<string>
  readonly from: Option.Option<string>
  readonly to: Option.Option<string>
  readonly json: boolean
}) =>
  Effect.gen(function* () {
    const { graph } = yield* Project
    const keys = yield* Either.match(resolveSelection(graph, args.selection), { onLeft: Effect.fail, onRight: Effect.succeed })
    const range = yield* partitionRange(graph, keys, args)
    const ctx = yield* partitionContext
    const checked = yield* checkMaterialized(graph, keys, (asset, partition) => {
      if (range === undefined || partition === null || asset.partitions === undefined) return true
      const inRange = rangeFilter(asset.partitions, range, ctx)
      return typeof inRange === "string" || inRange(partition)
    })
    const results = checked.flatMap((c) => c.results)
    const count = (s: string) => results.filter((r) => r.status === s).length
    if (args.json) {
      yield* Console.log(
        JSON.stringify(
          checked.map((c) => ({ asset: c.asset, partition: c.partition, materializationId: c.materialization.id, checks: c.results.map(checkJson) })),
          null,
          2
        )
      )
    } else if (checked.length === 0) {
      const withChecks = keys.filter((k) => {
        const def = graph.get(k)
        return def._tag === "Asset" && def.checks.length > 0
      })
      yield* Console.log(
        withChecks.length === 0
          ? `None of ${keys.join(", ")} has checks: add them with the checks option of defineAsset.`
          : `Nothing to check: ${withChecks.join(", ")} ${range === undefined ? "has" : "has, in that range,"} no materialization yet (assets materialize ${args.selection}).`
      )
    } else {
      for (const c of checked) yield* Console.log(`${at(c.asset, c.partition)}\n${c.results.map((r) => `    ${checkLine(r)}`).join("\n")}`)
      yield* Console.log(
        `\nChecked ${plural(checked.length, "asset partition")}: ${count("PASSED")} passed, ${count("FAILED")} failed, ${count("WARNED")} warned.`
      )
    }
    if (count("FAILED") > 0) process.exitCode = 1
  })
