import { Effect, Stream } from "effect"
import { landingPrefix } from "../StreamingFeed.js"
import { Lake } from "sakila-assets"
import type { LandingFile } from "../generated/simulateStreams.js"

const encoder = new TextEncoder()

/** Writes files into the landing zone under their arrival month's prefix; each appears whole or not at all. */
export const landStreams = Effect.fn("Streaming.land")(function* (files: ReadonlyArray<LandingFile>) {
  const lake = yield* Lake
  yield* Effect.forEach(
    files,
    (f) => lake.write(`${landingPrefix(f.arrivalMonth)}${f.name}`, Stream.make(encoder.encode(f.lines.join("\n") + "\n"))),
    { concurrency: 4, discard: true }
  )
  return { files: files.length, lines: files.reduce((n, f) => n + f.lines.length, 0) }
})
