/**
 * Sales of two regions, merged: the Americas deliver a zipped CSV export per month under
 * `landing/sales/americas/YYYY/MM/`, Europe's are rows of a database table. Each region's times are local, in the
 * zone of the store (several US zones, several European ones): `sales` converts them to UTC with the zone taken
 * from each row, tags the region in `location`, and keeps one partition per month x region.
 */
import { Effect, Schema, Stream } from "effect"
import { unzipSync, strFromU8 } from "fflate"
import { Column, defineAsset, defineSource, Lake, monthly, multiPartitions, primaryKey, shortHash, staticPartitions, type PartitionKey } from "sakila-assets"
import { EuropeSales } from "./europe.js"
import { SALE_COLUMNS } from "./generate.js"

export const salesMonths = monthly({ start: "2022-01", end: "2022-12" })
export const regions = staticPartitions(["americas", "europe"])
export const monthByRegion = multiPartitions({ month: salesMonths, region: regions })

const AMERICAS = "landing/sales/americas/"
const split = (key: string | PartitionKey) => {
  const [month, region] = String(key).split("|") as [string, string]
  return { month, region }
}

/** Both regions' deliveries: a version per month x region, from the zip files or from the table's counts. */
export const salesExports = defineSource({
  key: "sales_exports",
  description: "the Americas' zipped CSV exports and Europe's sales table, by month and region",
  group: "sales",
  partitions: monthByRegion,
  format: "csv",
  // Europe's rows are not in the lake: its prefix holds nothing
  prefix: (p) => {
    const { month, region } = split(p!)
    return region === "americas" ? `${AMERICAS}${month.slice(0, 4)}/${month.slice(5, 7)}/` : `landing/sales/none/`
  },
  observe: Effect.gen(function* () {
    const found = new Map<PartitionKey, string>()
    for (const f of yield* (yield* Lake).list(AMERICAS)) {
      const m = /^landing\/sales\/americas\/(\d{4})\/(\d{2})\/[^/]+\.zip$/.exec(f.path)
      if (m === null) continue
      const key = `${m[1]}-${m[2]}|americas` as PartitionKey
      found.set(key, shortHash(found.get(key) ?? "", f.path, String(f.size), f.tag))
    }
    for (const [month, version] of yield* (yield* EuropeSales).months) {
      // months outside the project's range are not partitions of it
      if (month >= "2022-01" && month <= "2022-12") found.set(`${month}|europe` as PartitionKey, shortHash(version))
    }
    return { _tag: "Partitioned" as const, partitions: found }
  })
})

const text = Column.text
const csvField = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)

/** A month of one region as delivered, every value as text: unzipped for the Americas, read from the table for Europe. */
export const salesRaw = defineAsset({
  key: "sales_raw",
  description: "one region's sales of a month as delivered (local times, the store's zone), as CSV",
  group: "sales",
  zone: "landing",
  format: "csv",
  partitions: monthByRegion,
  deps: { exports: salesExports },
  schema: Schema.Struct(Object.fromEntries(SALE_COLUMNS.map((c) => [c, text])) as Record<(typeof SALE_COLUMNS)[number], typeof text>),
  codeVersion: "sales-raw-1",
  compute: (ctx) =>
    Effect.gen(function* () {
      const lake = yield* Lake
      const { month, region } = split(ctx.partition!)
      const lines: Array<string> = [SALE_COLUMNS.join(",")]
      if (region === "americas") {
        for (const path of ctx.inputs.exports!.paths) {
          const bytes = yield* lake.read(path).pipe(Stream.runFold(new Uint8Array(), (a, b) => {
            const out = new Uint8Array(a.length + b.length)
            out.set(a)
            out.set(b, a.length)
            return out
          }))
          const csv = unzipSync(bytes)["sales.csv"]
          if (csv === undefined) return yield* Effect.fail(new Error(`${path} holds no sales.csv`))
          const [header, ...rows] = strFromU8(csv).split("\n").filter((l) => l.trim() !== "")
          if (header !== SALE_COLUMNS.join(",")) return yield* Effect.fail(new Error(`${path}: sales.csv has the columns ${header}, expected ${SALE_COLUMNS.join(",")}`))
          lines.push(...rows)
        }
      } else {
        for (const row of yield* (yield* EuropeSales).rows(month)) lines.push(SALE_COLUMNS.map((c) => csvField(row[c] ?? "")).join(","))
      }
      yield* lake.write(ctx.outputPath, new TextEncoder().encode(`${lines.join("\n")}\n`))
    })
})

/** The local time as an instant: DuckDB (and Trino) read a zone name after the wall-clock time. */
const utc = `timezone('UTC', CAST(local_time || ' ' || zone AS TIMESTAMPTZ))`

export const sales = defineAsset({
  key: "sales",
  description: "every sale event of both regions, its time in UTC (ISO 8601) from the local time and the store's zone",
  group: "sales",
  partitions: monthByRegion,
  deps: { raw: salesRaw },
  schema: Schema.Struct({
    event_id: primaryKey(Column.bigint),
    session_id: Column.text,
    customer_id: Column.int,
    item: Column.text,
    event_type: Column.enum("add_to_cart", "remove_from_cart", "purchase"),
    quantity: Column.int,
    unit_price: Column.double,
    location: Column.enum("americas", "europe"),
    store: Column.text,
    zone: Column.text,
    local_time: Column.text,
    sold_at: Column.timestamp,
    sold_at_utc: Column.text
  }),
  sql: ({ inputs, dimensions }) => `
    SELECT CAST(event_id AS BIGINT) AS event_id, session_id, CAST(customer_id AS INTEGER) AS customer_id, item, event_type,
           CAST(quantity AS INTEGER) AS quantity, CAST(unit_price AS DOUBLE) AS unit_price, '${dimensions!["region"]}' AS location,
           store, zone, local_time, ${utc} AS sold_at, replace(CAST(${utc} AS VARCHAR), ' ', 'T') || 'Z' AS sold_at_utc
    FROM ${inputs.raw}`
})

export const salesAssets = [salesExports, salesRaw, sales]
