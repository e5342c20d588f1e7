/**
 * The demo's deliveries: before a run, each month of MOVALYTICS_DELIVERIES (default 2023-01,2023-02,2023-03) that
 * has not landed yet lands, generated (MOVALYTICS_SEED, default 11). Nothing already landed is overwritten; read
 * commands never run this.
 */
import { Config, Console, Effect } from "effect"
import { Lake } from "sakila-assets"
import { csvOf, deliveries, DELIVERY_MONTHS, landingPath, TABLES, type Table } from "./generate.js"

export const prepare = Effect.gen(function* () {
  const seed = yield* Config.withDefault(Config.integer("MOVALYTICS_SEED"), 11)
  const wanted = (yield* Config.withDefault(Config.string("MOVALYTICS_DELIVERIES"), DELIVERY_MONTHS.join(","))).split(",").map((s) => s.trim()).filter((s) => s !== "")
  const lake = yield* Lake
  let landed = 0
  for (const d of deliveries(seed)) {
    if (!wanted.includes(d.month)) continue
    for (const t of Object.keys(TABLES) as Array<Table>) {
      const path = landingPath(t, d.month)
      if (yield* lake.exists(path)) continue
      yield* lake.write(path, new TextEncoder().encode(csvOf(t, d.rows[t])))
      landed++
    }
  }
  if (landed > 0) yield* Console.error(`movalytics: landed ${landed} generated delivery files (seed ${seed})`)
})
