import { Effect, Schema } from "effect"
import { defineAsset, defineSource, type AnyAssetDef } from "../runtime/asset/Asset.js"
import { Column } from "../runtime/asset/columns.js"
import { Lake } from "../runtime/lake/Lake.js"
import { contextAt } from "../runtime/partitions/PartitionsDefinition.js"
import type { PartitionsDefinition } from "../runtime/partitions/PartitionsDefinition.js"
import { daily, monthly } from "../runtime/partitions/TimeWindowPartitions.js"

const tenYears = monthly({ start: "2014-01", end: "2023-12" })
/** The other shape a graph takes: three years of days (1,095 partitions an asset). */
export const threeYearsOfDays = daily({ start: "2021-01-01", end: "2023-12-31" })
const Row = Schema.Struct({ n: Column.bigint })

/** A seeded generator, so every size and every run draws the same graph. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/**
 * A random DAG of `size` assets: one in a hundred is a source, half of the rest monthly over ten years (120
 * partitions), and each asset reads up to three earlier ones, mostly recent (so chains grow deep, as in real
 * projects). A source observes version `key@partition`, as bench/filledStore.ts records it. Returns the assets in
 * definition order and the key of the last one (a leaf).
 */
export const syntheticGraph = (
  size: number,
  seed = 7,
  partitions: PartitionsDefinition = tenYears
): { readonly assets: ReadonlyArray<AnyAssetDef>; readonly leaf: string } => {
  const random = rng(seed)
  const assets: Array<AnyAssetDef> = []
  for (let i = 0; i < size; i++) {
    const key = `a${String(i).padStart(6, "0")}`
    const partitioned = random() < 0.5
    if (i === 0 || random() < 0.01) {
      assets.push(
        defineSource({
          key,
          ...(partitioned ? { partitions } : {}),
          observe: Effect.succeed(
            partitioned
              ? { _tag: "Partitioned" as const, partitions: new Map(partitions.keys(contextAt()).map((p) => [p, `${key}@${p}`] as const)) }
              : { _tag: "Whole" as const, dataVersion: `${key}@` }
          )
        }) as AnyAssetDef
      )
      continue
    }
    const deps: Record<string, AnyAssetDef> = {}
    const count = 1 + Math.floor(random() * 3)
    for (let d = 0; d < count; d++) {
      // three in four from the last fifty, the rest from anywhere before
      const j = random() < 0.75 ? Math.max(0, i - 1 - Math.floor(random() * 50)) : Math.floor(random() * i)
      deps[`in${d}`] = assets[j]!
    }
    assets.push(
      defineAsset({
        key,
        ...(partitioned ? { partitions } : {}),
        deps,
        schema: Row,
        sql: ({ inputs }) => `SELECT count(*)::BIGINT AS n FROM ${Object.values(inputs)[0]}`
      }) as AnyAssetDef
    )
  }
  return { assets, leaf: assets[assets.length - 1]!.key }
}

/**
 * A random DAG of `size` unpartitioned no-op assets (each writes a one-line CSV, the smallest output the runtime
 * can check and commit), each reading up to three earlier ones, mostly recent; the keys of the assets nothing
 * reads are the selection that materializes all of them.
 */
export const noopGraph = (size: number, seed = 11): { readonly assets: ReadonlyArray<AnyAssetDef>; readonly sinks: ReadonlyArray<string> } => {
  const random = rng(seed)
  const enc = new TextEncoder()
  const assets: Array<AnyAssetDef> = []
  const read = new Set<string>()
  for (let i = 0; i < size; i++) {
    const key = `n${String(i).padStart(6, "0")}`
    const deps: Record<string, AnyAssetDef> = {}
    const count = i === 0 ? 0 : 1 + Math.floor(random() * 3)
    for (let d = 0; d < count; d++) {
      const j = Math.max(0, i - 1 - Math.floor(random() ** 3 * i))
      deps[`in${d}`] = assets[j]!
      read.add(assets[j]!.key)
    }
    assets.push(
      defineAsset({
        key,
        deps,
        format: "csv",
        schema: Schema.Struct({ n: Column.text }),
        codeVersion: "noop-1",
        compute: (ctx) => Effect.flatMap(Lake, (lake) => lake.write(ctx.outputPath, enc.encode(`n\n${key}\n`)))
      }) as AnyAssetDef
    )
  }
  return { assets, sinks: assets.map((a) => a.key).filter((k) => !read.has(k)) }
}
