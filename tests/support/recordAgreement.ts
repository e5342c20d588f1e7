import { Effect } from "effect"
import { shortHash } from "../../runtime/asset/codeVersion.js"
import { Engine } from "../../runtime/engine/Engine.js"
import { EventStore } from "../../runtime/events/EventStore.js"
import type { Materialization } from "../../runtime/events/records.js"
import { outputsOf } from "../../runtime/execute/outputs.js"
import type { AssetGraph } from "../../runtime/graph/AssetGraph.js"
import { Lake } from "../../runtime/lake/Lake.js"

const key = (m: Pick<Materialization, "asset" | "partition">) => `${m.asset}[${m.partition ?? ""}]`

/**
 * Whether the record and the data agree, as a crash must leave them: every current materialization's own version
 * holds exactly its data (re-hashed by the engine); every stable path shows its current record's data once that
 * record is published, and before that (a crash between the record and publishing) an earlier record's data or
 * nothing; and no stable file exists that no current record names. `ignore` lists prefixes the runtime does not
 * produce (sources' landing files). Returns the disagreements, each in a line, and how many outputs it checked.
 */
export const recordAgreement = (graph: AssetGraph, ignore: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const engine = yield* Engine
    const lake = yield* Lake
    const problems: Array<string> = []
    const unpublished = new Set((yield* store.unpublished).map((m) => m.id))
    const current = yield* store.currentMaterializations()
    const named = new Set<string>()
    let checked = 0
    const versionOf = (path: string, format: "parquet" | "csv" | "jsonl") =>
      Effect.map(engine.inspect(path, format), (stats) => shortHash(stats.contentHash, String(stats.rows)))
    for (const m of current) {
      const def = graph.get(m.asset)
      const format = def._tag === "Asset" ? def.format : "parquet"
      const [main, ...sides] = outputsOf(m)
      for (const o of [main!, ...sides]) named.add(o.path)
      checked++
      const own = yield* versionOf(main!.location, format)
      if (own !== m.dataVersion) problems.push(`${key(m)}: its version ${main!.location} holds ${own}, the record says ${m.dataVersion}`)
      const exists = yield* lake.exists(main!.path)
      if (!unpublished.has(m.id)) {
        const shown = exists ? yield* versionOf(main!.path, format) : "nothing"
        if (shown !== m.dataVersion) problems.push(`${key(m)}: ${main!.path} shows ${shown}, its published record says ${m.dataVersion}`)
      } else if (exists) {
        const shown = yield* versionOf(main!.path, format)
        const earlier = (yield* store.materializations({ asset: m.asset, limit: 10_000 })).filter((e) => e.partition === m.partition)
        if (!earlier.some((e) => e.dataVersion === shown)) problems.push(`${key(m)}: ${main!.path} shows ${shown}, which no record of it names`)
      }
    }
    for (const o of yield* lake.list("")) {
      if (ignore.some((prefix) => o.path.startsWith(prefix)) || named.has(o.path)) continue
      problems.push(`${o.path} is published but no current record names it`)
    }
    return { checked, problems }
  })
