/**
 * {{name}}: software-defined assets with sakila-assets. Everything runs on this machine: DuckDB over the `lake`
 * folder, the record of runs in SQLite under `.assets`. No server, no network.
 *
 *   orders          monthly, a month of made-up shop orders as CSV (stands in for your own extraction)
 *   monthly_sales   monthly, units and revenue per product in that month: SQL over the month's orders
 *   sales_report    one table over every month's sales
 *
 * `npx assets materialize sales_report` computes whatever of it is missing or stale, upstream first;
 * `npx assets status` says what is fresh and, when something is not, why.
 */
import { Effect, Schema } from "effect"
import { Column, defineAsset, defineProject, embedded, Lake, monthly } from "sakila-assets"

/** One partition per month from January 2026 to the current month: a new month appears as it starts. */
const months = monthly({ start: "2026-01" })

const products = [
  { product: "tea", price: 4.5 },
  { product: "coffee", price: 6.25 },
  { product: "cocoa", price: 5.0 },
  { product: "juice", price: 3.75 }
]

/** A small random generator seeded by the month, so a month's orders are the same every time. */
const generator = (seed: string) => {
  let state = [...seed].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261)
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The month's orders as CSV with a header. */
const ordersCsv = (month: string): string => {
  const random = generator(month)
  const lines = ["order_id,ordered_at,product,quantity,unit_price"]
  const count = 20 + Math.floor(random() * 30)
  for (let i = 1; i <= count; i++) {
    const { product, price } = products[Math.floor(random() * products.length)]!
    const day = String(1 + Math.floor(random() * 28)).padStart(2, "0")
    lines.push(`${month}-${String(i).padStart(4, "0")},${month}-${day},${product},${1 + Math.floor(random() * 5)},${price}`)
  }
  return lines.join("\n") + "\n"
}

/**
 * The landing zone holds data as it arrives: CSV, every column text. An asset computed by an Effect writes its
 * output itself and names its code version: change `codeVersion` whenever what it writes changes, and every
 * month becomes stale.
 */
export const orders = defineAsset({
  key: "orders",
  description: "made-up orders of a small shop, one CSV per month",
  group: "landing",
  zone: "landing",
  format: "csv",
  partitions: months,
  schema: Schema.Struct({
    order_id: Column.text,
    ordered_at: Column.text,
    product: Column.text,
    quantity: Column.text,
    unit_price: Column.text
  }),
  codeVersion: "orders-1",
  compute: (ctx) => Effect.flatMap(Lake, (lake) => lake.write(ctx.outputPath, new TextEncoder().encode(ordersCsv(ctx.partition!))))
})

/** Each month reads the same month of orders. An SQL asset's code version is its SQL: edit it, and it is stale. */
export const monthlySales = defineAsset({
  key: "monthly_sales",
  description: "orders, units and revenue per product in each month",
  group: "sales",
  partitions: months,
  deps: { orders },
  schema: Schema.Struct({
    month: Column.text,
    product: Column.text,
    orders: Column.bigint,
    units: Column.bigint,
    revenue: Column.double
  }),
  sql: ({ inputs, partition }) => `
    SELECT '${partition}' AS month, product,
      CAST(count(*) AS BIGINT) AS orders,
      CAST(sum(CAST(quantity AS INTEGER)) AS BIGINT) AS units,
      round(sum(CAST(quantity AS INTEGER) * CAST(unit_price AS DOUBLE)), 2) AS revenue
    FROM ${inputs.orders}
    GROUP BY product`
})

/** Not partitioned: it reads every month of monthly_sales, and a new or changed month makes it stale. */
export const salesReport = defineAsset({
  key: "sales_report",
  description: "orders, units and revenue per product over every month",
  group: "sales",
  deps: { sales: monthlySales },
  schema: Schema.Struct({
    product: Column.text,
    months: Column.bigint,
    orders: Column.bigint,
    units: Column.bigint,
    revenue: Column.double
  }),
  sql: ({ inputs }) => `
    SELECT product,
      CAST(count(*) AS BIGINT) AS months,
      CAST(sum(orders) AS BIGINT) AS orders,
      CAST(sum(units) AS BIGINT) AS units,
      round(sum(revenue), 2) AS revenue
    FROM ${inputs.sales}
    GROUP BY product
    ORDER BY revenue DESC`
})

export default defineProject({
  name: "{{name}}",
  assets: [orders, monthlySales, salesReport],
  // DuckDB over ./lake, the record in SQLite under ./.assets (ASSETS_LAKE and ASSETS_STATE_DIR move them)
  layer: embedded()
})
