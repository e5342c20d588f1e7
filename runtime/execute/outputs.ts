import { Effect } from "effect"
import { EventStore } from "../events/EventStore.js"
import type { AnyAssetDef } from "../asset/Asset.js"
import type { Materialization } from "../events/records.js"
import { Lake, type OutputVersion } from "../lake/Lake.js"

/**
 * The outputs a materialization recorded: each stable path with the version holding it. Records made before
 * versions existed wrote their file at the stable path itself, which is then its own location.
 */
export const outputsOf = (m: Pick<Materialization, "metadata">): ReadonlyArray<OutputVersion> => {
  const outputs = m.metadata["outputs"]
  if (Array.isArray(outputs)) return outputs as ReadonlyArray<OutputVersion>
  const path = m.metadata["path"]
  return typeof path === "string" ? [{ path, location: path }] : []
}

/** Where the main output of a materialization lives (undefined when it recorded no file). */
export const locationOf = (m: Pick<Materialization, "metadata">): string | undefined => {
  const location = m.metadata["location"]
  if (typeof location === "string") return location
  const path = m.metadata["path"]
  return typeof path === "string" ? path : undefined
}

/**
 * Makes the lake show a recorded materialization at its stable paths, then says so in the store, or to `marked`
 * (a run gathers its marks into one write: runWrites.ts). Not an Effect.fn: it runs for every task, and a span with
 * its stack trace is a measurable part of a no-op task (bench/runtime.ts).
 */
export const publish = (m: Materialization, marked?: (m: Materialization) => Effect.Effect<void>) =>
  Effect.gen(function* () {
    const lake = yield* Lake
    yield* lake.publish(outputsOf(m))
    if (marked !== undefined) return yield* marked(m)
    const store = yield* EventStore
    yield* store.markPublished([m])
  })

/** What one side output of a materialization holds, as kept with it: its row count, its counts by a column, its rows. */
export interface SideOutputSummary {
  readonly rows: number
  readonly countBy?: { readonly column: string; readonly top: Readonly<Record<string, number>> }
  readonly records?: ReadonlyArray<Record<string, unknown>>
}

export const sideOutputsOf = (def: AnyAssetDef, m: Pick<Materialization, "metadata">): Readonly<Record<string, SideOutputSummary>> => {
  if (def._tag !== "Asset") return {}
  const out: Record<string, SideOutputSummary> = {}
  for (const [name, side] of Object.entries(def.sideOutputs)) {
    const rows = m.metadata[`${name}_rows`]
    if (typeof rows !== "number") continue
    const top = side.countBy === undefined ? undefined : m.metadata[`${name}_by_${side.countBy}`]
    const records = m.metadata[name]
    out[name] = {
      rows,
      ...(side.countBy !== undefined && typeof top === "object" && top !== null ? { countBy: { column: side.countBy, top: top as Record<string, number> } } : {}),
      ...(Array.isArray(records) ? { records: records as ReadonlyArray<Record<string, unknown>> } : {})
    }
  }
  return out
}

/** One line per side output that holds rows: "rejected 12 (invalid JSON 7, film_id out of range 5)". */
export const describeSideOutputs = (sides: Readonly<Record<string, SideOutputSummary>>): ReadonlyArray<string> =>
  Object.entries(sides)
    .filter(([, s]) => s.rows > 0 && s.records === undefined)
    .map(([name, s]) => `${name} ${s.rows}${s.countBy ? ` (${Object.entries(s.countBy.top).map(([k, n]) => `${k} ${n}`).join(", ")})` : ""}`)
