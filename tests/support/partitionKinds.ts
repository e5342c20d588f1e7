import { Effect, Schema } from "effect"
import {
  Column,
  daily,
  defineAsset,
  defineSource,
  dimensionMapping,
  dynamicPartitions,
  Engine,
  Lake,
  monthly,
  multiPartitions,
  selfDependency,
  shortHash,
  staticPartitions,
  timeWindow,
  type PartitionKey,
  type PartitionsDefinition
} from "sakila-assets"

/**
 * A project of every partition kind, over JSON lines `{"n": 5}` the tests land: daily files rolled up into months
 * and a running total over months; sales by month x region; partners added by what lands; a diamond; a source
 * whose observation can be made wrong (BAD_KEYS).
 */
const days = daily({ start: "2023-01-01", end: "2023-03-31" })
const months = monthly({ start: "2023-01", end: "2023-03" })
const regions = staticPartitions(["americas", "europe"])
const salesKeys = multiPartitions({ month: months, region: regions })
const partners = dynamicPartitions("partners")

/** A source of files under `landing/<folder>/`, one partition per file (`key` of its path, as `keyOf` reads it). */
const fileSource = (key: string, partitions: PartitionsDefinition, folder: string, keyOf: (rest: string) => string, prefix: (p: string) => string) =>
  defineSource({
    key,
    partitions,
    format: "jsonl",
    prefix: (p) => prefix(p!),
    observe: Effect.gen(function* () {
      const by = new Map<PartitionKey, string>()
      for (const o of yield* (yield* Lake).list(`landing/${folder}/`)) {
        by.set(keyOf(o.path.slice(`landing/${folder}/`.length)) as PartitionKey, shortHash(o.path, o.tag))
      }
      return { _tag: "Partitioned" as const, partitions: by }
    })
  })

const n = (relation: string) => `SELECT CAST(json_extract_string(line, '$.n') AS BIGINT) AS n FROM ${relation}`
const Total = Schema.Struct({ total: Column.bigint })

export const dayFiles = fileSource("day_files", days, "days", (f) => f.replace(/\.jsonl$/, ""), (p) => `landing/days/${p}.jsonl`)

export const dayTotals = defineAsset({
  key: "day_totals",
  group: "rollup",
  partitions: days,
  deps: { up: dayFiles },
  schema: Total,
  sql: ({ inputs }) => `SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS total FROM (${n(inputs.up!)})`
})

/** Daily into monthly: the default mapping between time windows of different units reads a month's days. */
export const monthTotals = defineAsset({
  key: "month_totals",
  group: "rollup",
  tags: ["finance"],
  partitions: months,
  deps: { days: dayTotals },
  schema: Total,
  sql: ({ inputs }) => `SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) AS total FROM ${inputs.days}`
})

/** A running total: this month's total plus the previous month's running total (a self-dependency). */
export const running = defineAsset({
  key: "running",
  group: "rollup",
  tags: ["finance", "owner=ana"],
  partitions: months,
  deps: { month: monthTotals, previous: selfDependency(timeWindow({ startOffset: -1, endOffset: -1 })) },
  schema: Total,
  sql: ({ inputs }) =>
    `SELECT CAST((SELECT total FROM ${inputs.month}) + COALESCE((SELECT SUM(total) FROM ${inputs.previous}), 0) AS BIGINT) AS total`
})

export const salesFiles = fileSource(
  "sales_files",
  salesKeys,
  "sales",
  (rest) => {
    const [region, file] = rest.split("/")
    return `${file!.replace(/\.jsonl$/, "")}|${region}`
  },
  (p) => {
    const [month, region] = p.split("|")
    return `landing/sales/${region}/${month}.jsonl`
  }
)

export const sales = defineAsset({
  key: "sales",
  group: "sales",
  tags: ["pii"],
  partitions: salesKeys,
  deps: { up: salesFiles },
  schema: Schema.Struct({ n: Column.bigint, region: Column.text, month_start: Column.text }),
  sql: ({ inputs, dimensions, window }) =>
    `SELECT n, '${dimensions!.region}' AS region, '${window!.start}' AS month_start FROM (${n(inputs.up!)})`
})

/** Month x region into month: every region of the month (the default mapping through the shared dimension). */
export const salesByMonth = defineAsset({
  key: "sales_by_month",
  group: "sales",
  partitions: months,
  deps: { sales: { asset: sales, mapping: dimensionMapping("month") } },
  schema: Schema.Struct({ region: Column.text, total: Column.bigint }),
  sql: ({ inputs }) => `SELECT region, CAST(SUM(n) AS BIGINT) AS total FROM ${inputs.sales} GROUP BY region`
})

export const partnerFiles = fileSource("partner_files", partners, "partners", (f) => f.replace(/\.jsonl$/, ""), (p) => `landing/partners/${p}.jsonl`)

export const partnerCounts = defineAsset({
  key: "partner_counts",
  group: "partners",
  partitions: partners,
  deps: { up: partnerFiles },
  schema: Schema.Struct({ lines: Column.bigint }),
  sql: ({ inputs }) => `SELECT CAST(count(*) AS BIGINT) AS lines FROM ${inputs.up}`
})

const V = Schema.Struct({ v: Column.bigint })
export const base = defineAsset({ key: "base", group: "diamond", schema: V, sql: () => `SELECT CAST(${Number(process.env["BASE_VALUE"] ?? "1")} AS BIGINT) AS v` })
export const left = defineAsset({ key: "left", group: "diamond", deps: { base }, schema: V, sql: ({ inputs }) => `SELECT v + 1 AS v FROM ${inputs.base}` })
/** An Effect compute giving its own data version: the value it wrote, so an equal value reads as no change. */
export const right = defineAsset({
  key: "right",
  group: "diamond",
  deps: { base },
  schema: V,
  codeVersion: "1",
  compute: (ctx) =>
    Effect.gen(function* () {
      const engine = yield* Engine
      const input = engine.relation(ctx.inputs["base"]!)
      const [row] = yield* engine.query(`SELECT CAST(v * 0 AS BIGINT) AS v FROM ${input}`)
      yield* engine.write(`SELECT CAST(${Number(row!["v"])} AS BIGINT) AS v`, ctx.outputPath, ctx.format)
      return { dataVersion: `zero-${Number(row!["v"])}` }
    })
})
export const bottom = defineAsset({
  key: "bottom",
  group: "diamond",
  deps: { left, right },
  schema: V,
  sql: ({ inputs }) => `SELECT (SELECT v FROM ${inputs.left}) + (SELECT v FROM ${inputs.right}) AS v`
})

/** Observes what BAD_KEYS says (comma-separated day keys), or 2023-01-01 when unset, at version BAD_VERSION or v1. */
export const oddSource = defineSource({
  key: "odd_source",
  partitions: days,
  observe: Effect.sync(() => {
    const keys = (process.env["BAD_KEYS"] ?? "2023-01-01").split(",")
    const version = process.env["BAD_VERSION"] ?? "v1"
    return process.env["BAD_WHOLE"] === "1"
      ? { _tag: "Whole" as const, dataVersion: version }
      : { _tag: "Partitioned" as const, partitions: new Map(keys.map((k) => [k as PartitionKey, version])) }
  })
})
export const oddReader = defineAsset({
  key: "odd_reader",
  partitions: days,
  deps: { up: oddSource },
  schema: Schema.Struct({ lines: Column.bigint }),
  sql: ({ inputs }) => `SELECT CAST(count(*) AS BIGINT) AS lines FROM ${inputs.up}`
})

export const partitionKinds = [dayFiles, dayTotals, monthTotals, running, salesFiles, sales, salesByMonth, partnerFiles, partnerCounts, base, left, right, bottom, oddSource, oddReader] as const
