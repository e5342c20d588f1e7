import { Config, Console, Effect, Layer } from "effect"
import { StreamingFeed } from "../StreamingFeed.js"
import { Lake } from "sakila-assets"
import { monthRange, simulateStreams } from "../generated/simulateStreams.js"
import { landStreams } from "./landStreams.js"

export interface SimulationConfig {
  readonly seed: number
  readonly from: string
  readonly to: string
  readonly eventsPerMonth: number
  readonly lateFraction: number
  readonly malformedFraction: number
}

/**
 * The demo's partner feed: when a runner starts and the landing zone holds no streams yet, it lands the configured
 * simulated months and says so, so a fresh clone has data to materialize. Once anything has landed it never writes
 * again; observing never writes.
 */
export const make = Effect.fn("SimulatedFeed.make")(function* (config: SimulationConfig) {
  const lake = yield* Lake
  const prepare = Effect.gen(function* () {
    const existing = yield* lake.list("landing/streaming/")
    if (existing.length > 0) return
    yield* landStreams(
      simulateStreams({
        seed: config.seed,
        months: monthRange(config.from, config.to),
        eventsPerMonth: config.eventsPerMonth,
        lateFraction: config.lateFraction,
        malformedFraction: config.malformedFraction
      })
    ).pipe(Effect.provideService(Lake, lake))
    yield* Console.log(
      `demo: landed simulated partner streams ${config.from}..${config.to}, ${config.eventsPerMonth} events a month, into an empty landing zone (ASSETS_STREAM_FEED=simulated); \`assets stream simulate\` lands more`
    )
  })
  return StreamingFeed.of({
    describe: `simulated partner streams ${config.from}..${config.to}, ${config.eventsPerMonth} events a month (seed ${config.seed})`,
    prepare
  })
})

export const simulationConfig = Config.all({
  seed: Config.withDefault(Config.integer("ASSETS_STREAM_SEED"), 7),
  from: Config.withDefault(Config.string("ASSETS_STREAM_FROM"), "2023-01"),
  to: Config.withDefault(Config.string("ASSETS_STREAM_TO"), "2023-06"),
  eventsPerMonth: Config.withDefault(Config.integer("ASSETS_STREAM_EVENTS_PER_MONTH"), 20_000),
  lateFraction: Config.withDefault(Config.number("ASSETS_STREAM_LATE_FRACTION"), 0.3),
  malformedFraction: Config.withDefault(Config.number("ASSETS_STREAM_MALFORMED_FRACTION"), 0.001)
})

export const layer = (config: SimulationConfig) => Layer.effect(StreamingFeed, make(config))

export const layerConfig = Layer.effect(StreamingFeed, Effect.flatMap(simulationConfig, make))

/** Production: a Firehose lands the streams; nothing to prepare. */
export const external = Layer.succeed(StreamingFeed, StreamingFeed.of({ describe: "partner streams landed externally", prepare: Effect.void }))
