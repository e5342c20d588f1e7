/**
 * The demo's data: before a run, the generated files land where the team would drop them (only those missing:
 * nothing is overwritten), and Europe's table is created and filled when it does not exist. Read commands never
 * run this. FUNFLIX_SEED (default 7) picks the data.
 */
import { Config, Console, Effect } from "effect"
import { strToU8 } from "fflate"
import { Lake } from "sakila-assets"
import { CLINIC_PREFIX } from "./clinic.js"
import { EuropeSales } from "./europe.js"
import { americasZip, clinicFiles, handKeptFiles, SALES_MONTHS, salesEvents } from "./generate.js"
import { FILES_PREFIX } from "./ingestion.js"

export const prepare = Effect.gen(function* () {
  const seed = yield* Config.withDefault(Config.integer("FUNFLIX_SEED"), 7)
  const lake = yield* Lake
  const land = (path: string, bytes: () => Uint8Array) =>
    Effect.flatMap(lake.exists(path), (there) => (there ? Effect.succeed(0) : Effect.as(lake.write(path, bytes()), 1)))
  let landed = 0
  for (const [name, text] of Object.entries(handKeptFiles(seed))) landed += yield* land(`${FILES_PREFIX}${name}`, () => strToU8(text))
  for (const [name, text] of Object.entries(clinicFiles(seed))) landed += yield* land(`${CLINIC_PREFIX}${name}`, () => strToU8(text))
  const americas = salesEvents(seed, "americas")
  for (const month of SALES_MONTHS) {
    landed += yield* land(`landing/sales/americas/${month.slice(0, 4)}/${month.slice(5, 7)}/sales_${month}.zip`, () => americasZip(americas, month))
  }
  const seeded = yield* (yield* EuropeSales).seed(seed)
  if (landed > 0 || seeded) yield* Console.error(`funflix: landed ${landed} generated files${seeded ? ", filled Europe's sales table" : ""} (seed ${seed})`)
})
