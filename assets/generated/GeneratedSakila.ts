import { Config, Effect, Layer, Stream } from "effect"
import { SakilaSource, sakilaColumns, type SakilaTable, type SourceRow } from "../SakilaSource.js"
import { shortHash } from "sakila-assets"
import { generateSakila } from "./generateSakila.js"

/** The embedded Sakila source: a deterministic, seeded, Sakila-shaped database held in memory. */
export const make = (seed: number): SakilaSource["Type"] => {
  const tables = generateSakila(seed)
  const rows = (table: SakilaTable): ReadonlyArray<SourceRow> =>
    (tables[table] as unknown as ReadonlyArray<Record<string, unknown>>).map((r) => sakilaColumns[table].map((c) => r[c] as SourceRow[number]))
  const versions = new Map<SakilaTable, string>()
  return SakilaSource.of({
    describe: `generated Sakila (seed ${seed})`,
    observe: (table) =>
      Effect.sync(() => {
        let v = versions.get(table)
        if (v === undefined) versions.set(table, (v = shortHash(JSON.stringify(rows(table)))))
        return v
      }),
    extract: (table, options) => {
      const since = options?.since
      if (since === undefined) return Stream.fromIterable(rows(table))
      const i = sakilaColumns[table].indexOf(since.column)
      return Stream.fromIterable(rows(table).filter((r) => r[i] !== null && Number(r[i]) >= Number(since.value)))
    }
  })
}

export const layer = (seed: number): Layer.Layer<SakilaSource> => Layer.succeed(SakilaSource, make(seed))

/** `SAKILA_SEED` (default 42) */
export const layerConfig = Layer.effect(
  SakilaSource,
  Effect.map(Config.withDefault(Config.integer("SAKILA_SEED"), 42), make)
)
