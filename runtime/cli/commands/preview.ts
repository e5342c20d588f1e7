import { Args, Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { readPreview } from "../../preview/readPreview.js"
import { EventStore } from "../../events/EventStore.js"
import { PartitionError } from "../../partitions/MonthlyPartitions.js"
import { Project } from "../../project/Project.js"
import { at } from "../format.js"
import { assetPartition, json, partition } from "../options.js"

const cell = (v: unknown): string => (v === null ? "" : Array.isArray(v) ? v.join("|") : String(v))

/** Rows as an aligned text table, each column cut to 40 characters. */
const table = (columns: ReadonlyArray<string>, rows: ReadonlyArray<Record<string, unknown>>): string => {
  const cells = rows.map((r) => columns.map((c) => cell(r[c]).slice(0, 40)))
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)))
  const line = (xs: ReadonlyArray<string>) => xs.map((x, i) => x.padEnd(widths[i]!)).join("  ").trimEnd()
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n")
}

export const previewCommand = Command.make(
  "preview",
  {
    key: Args.text({ name: "key" }),
    partition,
    limit: Options.integer("limit").pipe(Options.withDefault(20), Options.withDescription("how many rows")),
    json
  },
  (args) =>
    Effect.gen(function* () {
      const { graph } = yield* Project
      const store = yield* EventStore
      const { def, partition: p } = yield* assetPartition(graph, args.key, args.partition)
      if (def._tag === "Source") return yield* new PartitionError({ message: `${def.key} is a source: it is observed, not materialized; preview an asset that reads it` })
      const [m] = yield* store.materializations({ asset: def.key, partition: p, limit: 1 })
      if (m === undefined) return yield* Console.error(`${at(def.key, p)} has never been materialized: run assets materialize ${def.key}`)
      const preview = yield* readPreview(def, m, Math.max(1, args.limit))
      if (args.json) {
        const { specs: _, ...body } = preview
        return yield* Console.log(JSON.stringify(body, null, 2))
      }
      yield* Console.log(`${at(def.key, p)}: materialization ${m.id}, ${m.rowCount} rows, first ${preview.rows.length} (${preview.path})\n`)
      yield* Console.log(table(preview.columns.map((c) => c.name), preview.rows))
    })
).pipe(Command.withDescription("the first rows of an asset (partition)'s current materialization"))
