import { Console, Effect, Option } from "effect"
import { Project } from "../../project/Project.js"
import { reportMaterialization, ReportError } from "../../report/reportMaterialization.js"
import { at } from "../format.js"
import { assetPartition } from "./partitionArgs.js"

/** `assets report`'s handler, loaded when the command runs (report.ts defines the command). */
export const report = (args: {
  readonly key: string
  readonly partition: Option.Option<string>
  readonly dataVersion: string
  readonly rows: Option.Option<number>
  readonly json: boolean
}) =>
  Effect.gen(function* () {
    const { graph } = yield* Project
    const { def, partition } = yield* assetPartition(graph, args.key, args.partition)
    if (def._tag === "Source") return yield* new ReportError({ message: `${def.key} is a source: it is observed, not materialized` })
    const m = yield* reportMaterialization({ asset: def, partition, dataVersion: args.dataVersion, rowCount: Option.getOrUndefined(args.rows) })
    yield* Console.log(
      args.json
        ? JSON.stringify(m, null, 2)
        : `recorded ${at(def.key, partition)} as materialized outside (data version ${m.dataVersion}, ${m.inputs.length} input${m.inputs.length === 1 ? "" : "s"}): ${m.id}`
    )
  })
