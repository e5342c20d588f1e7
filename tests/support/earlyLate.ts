import { Schema } from "effect"
import { Column, defineAsset, monthly } from "sakila-assets"
import { ticks } from "./synthetic.js"

/** `late` starts 2024-05; `early` starts 2024-01 and reads `late` month by month, so early[2024-01..04] cannot exist. */
export const late = defineAsset({
  key: "late",
  partitions: monthly({ start: "2024-05" }),
  deps: { up: ticks },
  schema: Schema.Struct({ n: Column.bigint }),
  sql: ({ inputs }) => `SELECT CAST(length(line) AS BIGINT) AS n FROM ${inputs.up}`
})

export const early = defineAsset({
  key: "early",
  partitions: monthly({ start: "2024-01" }),
  deps: { up: late },
  schema: Schema.Struct({ n: Column.bigint }),
  sql: ({ inputs }) => `SELECT n FROM ${inputs.up}`
})

export const earlyLate = [ticks, late, early] as const
