/** Questions asked of the merged sales, each answered by a view over every month and region of `sales`. */
import { Schema } from "effect"
import { Column, defineAsset } from "sakila-assets"
import { sales } from "./sales.js"

const view = "view" as const

/** Revenue (purchases: quantity x unit price) by region and store, the best first. */
export const topLocations = defineAsset({
  key: "top_locations",
  description: "which locations sell the most",
  group: "sales_questions",
  materialization: view,
  deps: { sales },
  schema: Schema.Struct({ location: Column.text, store: Column.text, purchases: Column.bigint, revenue: Column.double }),
  sql: ({ inputs }) => `
    SELECT location, store, CAST(count(*) AS BIGINT) AS purchases, round(sum(quantity * unit_price), 2) AS revenue
    FROM ${inputs.sales} WHERE event_type = 'purchase'
    GROUP BY location, store
    ORDER BY revenue DESC, location, store`
})

/** Purchases by hour of the day in UTC, across both regions. */
export const peakHoursUtc = defineAsset({
  key: "peak_hours_utc",
  description: "peak selling hours, in UTC",
  group: "sales_questions",
  materialization: view,
  deps: { sales },
  schema: Schema.Struct({ hour_utc: Column.int, purchases: Column.bigint, revenue: Column.double }),
  sql: ({ inputs }) => `
    SELECT CAST(hour(sold_at) AS INTEGER) AS hour_utc, CAST(count(*) AS BIGINT) AS purchases, round(sum(quantity * unit_price), 2) AS revenue
    FROM ${inputs.sales} WHERE event_type = 'purchase'
    GROUP BY 1
    ORDER BY purchases DESC, hour_utc`
})

/** Items put in a cart and removed from the same cart later. */
export const cartRemovals = defineAsset({
  key: "cart_removals",
  description: "items put in carts and removed later",
  group: "sales_questions",
  materialization: view,
  deps: { sales },
  schema: Schema.Struct({ item: Column.text, removals: Column.bigint }),
  sql: ({ inputs }) => `
    SELECT r.item, CAST(count(*) AS BIGINT) AS removals
    FROM ${inputs.sales} AS r
    WHERE r.event_type = 'remove_from_cart' AND EXISTS (
      SELECT 1 FROM ${inputs.sales} AS a
      WHERE a.event_type = 'add_to_cart' AND a.session_id = r.session_id AND a.item = r.item AND a.sold_at <= r.sold_at)
    GROUP BY r.item
    ORDER BY removals DESC, r.item`
})

/** Pairs of items bought in the same session. */
export const soldTogether = defineAsset({
  key: "sold_together",
  description: "items sold together",
  group: "sales_questions",
  materialization: view,
  deps: { sales },
  schema: Schema.Struct({ item_a: Column.text, item_b: Column.text, sessions: Column.bigint }),
  sql: ({ inputs }) => `
    SELECT a.item AS item_a, b.item AS item_b, CAST(count(DISTINCT a.session_id) AS BIGINT) AS sessions
    FROM ${inputs.sales} AS a JOIN ${inputs.sales} AS b ON a.session_id = b.session_id AND a.item < b.item
    WHERE a.event_type = 'purchase' AND b.event_type = 'purchase'
    GROUP BY a.item, b.item
    ORDER BY sessions DESC, item_a, item_b`
})

export const questionAssets = [topLocations, peakHoursUtc, cartRemovals, soldTogether]
