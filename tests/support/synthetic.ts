import { Effect, Schema } from "effect"
import { Column, defineAsset, defineSource, Engine, Lake, monthly, shortHash, type AnyAssetDef, type ComputeContext, type PartitionKey, type SqlContext } from "sakila-assets"

export const syntheticMonths = monthly({ start: "2000-01", end: "2039-12" })
const enc = new TextEncoder()

/** A partitioned source of JSON lines under landing/ticks/YYYY-MM/, versioned by file names and tags. */
export const ticks = defineSource({
  key: "ticks",
  partitions: syntheticMonths,
  format: "jsonl",
  prefix: (p) => `landing/ticks/${p}/`,
  observe: Effect.gen(function* () {
    const objects = yield* (yield* Lake).list("landing/ticks/")
    const by = new Map<PartitionKey, Array<string>>()
    for (const o of objects) {
      const m = o.path.split("/")[2] as PartitionKey
      by.set(m, [...(by.get(m) ?? []), `${o.path} ${o.tag}`])
    }
    return { _tag: "Partitioned" as const, partitions: new Map([...by].map(([k, v]) => [k, shortHash(...v)])) }
  })
})

/** The same ticks under `landing/ticks/YYYY/MM/`, the layout an Athena catalog registers a landing prefix by. */
export const slashedTicks = defineSource({
  key: "ticks",
  partitions: syntheticMonths,
  format: "jsonl",
  prefix: (p) => `landing/ticks/${p!.slice(0, 4)}/${p!.slice(5, 7)}/`,
  observe: Effect.gen(function* () {
    const by = new Map<PartitionKey, Array<string>>()
    for (const o of yield* (yield* Lake).list("landing/ticks/")) {
      const [, , y, m] = o.path.split("/")
      by.set(`${y}-${m}` as PartitionKey, [...(by.get(`${y}-${m}` as PartitionKey) ?? []), `${o.path} ${o.tag}`])
    }
    return { _tag: "Partitioned" as const, partitions: new Map([...by].map(([k, v]) => [k, shortHash(...v)])) }
  })
})

export const landTick = (month: string, lines: ReadonlyArray<string>) =>
  Effect.flatMap(Lake, (lake) => lake.write(`landing/ticks/${month}/t.jsonl`, enc.encode(lines.join("\n") + "\n")))

/**
 * A chain of `length` monthly assets over `ticks`. The first parses the lines and fails on a line "POISON" (a bad
 * input a user can fix); the others pass rows on. `delayMs` slows each compute, for crash and overlap tests.
 */
export const chain = (
  length: number,
  options: { readonly delayMs?: number; readonly noop?: boolean; readonly source?: AnyAssetDef } = {}
): ReadonlyArray<AnyAssetDef> => {
  const source = options.source ?? ticks
  const assets: Array<AnyAssetDef> = [source]
  let previous: AnyAssetDef = source
  for (let i = 1; i <= length; i++) {
    const upstream = previous
    const delay = options.delayMs ?? 0
    const asset = options.noop
      ? defineAsset({
          key: `step${i}`,
          partitions: syntheticMonths,
          deps: { up: upstream },
          format: "csv",
          schema: Schema.Struct({ n: Column.text }),
          // a no-op: the smallest output the runtime can check and commit
          codeVersion: "1",
          compute: (ctx) => Effect.flatMap(Lake, (lake) => lake.write(ctx.outputPath, enc.encode(`n\n${ctx.partition}\n`)))
        })
      : defineAsset({
          key: `step${i}`,
          partitions: syntheticMonths,
          deps: { up: upstream },
          schema: Schema.Struct({ n: Column.bigint }),
          sql: ({ inputs }) =>
            i === 1
              ? `SELECT CAST(CASE WHEN line = 'POISON' THEN error('poisoned input line') ELSE length(line) END AS BIGINT) AS n FROM ${inputs.up}`
              : `SELECT n FROM ${inputs.up}`
        })
    const slowed =
      delay > 0 && asset._tag === "Asset" && asset.compute._tag === "Sql"
        ? { ...asset, compute: { _tag: "Effect" as const, source: asset.compute.source, run: slowSql(asset.compute.sql, delay) } }
        : asset
    assets.push(slowed as AnyAssetDef)
    previous = slowed as AnyAssetDef
  }
  return assets
}


/** The same SQL, run after a pause: lets a test kill a process or overlap two while work is under way. */
const slowSql = (sql: (ctx: SqlContext) => string, delayMs: number) => (ctx: ComputeContext) =>
  Effect.gen(function* () {
    yield* Effect.sleep(`${delayMs} millis`)
    const engine = yield* Engine
    const inputs = Object.fromEntries(Object.entries(ctx.inputs).map(([k, f]) => [k, engine.relation(f)]))
    yield* engine.write(sql({ inputs, partition: ctx.partition, window: undefined }), ctx.outputPath, ctx.format)
  })
