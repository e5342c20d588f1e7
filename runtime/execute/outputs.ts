import { Effect } from "effect"
import { EventStore } from "../events/EventStore.js"
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

/** Makes the lake show a recorded materialization at its stable paths, then says so in the store. */
export const publish = Effect.fn("Materializer.publish")(function* (m: Materialization) {
  const lake = yield* Lake
  const store = yield* EventStore
  yield* lake.publish(outputsOf(m))
  yield* store.markPublished(m)
})
