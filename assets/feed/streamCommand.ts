import { Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { appendEvents, monthRange, simulateStreams } from "../generated/simulateStreams.js"
import { landStreams } from "./landStreams.js"

const month = (name: string, description: string) => Options.text(name).pipe(Options.withDescription(description))

/** `assets stream simulate`: lands simulated partner events, as a Firehose would, for months to come. */
const simulate = Command.make(
  "simulate",
  {
    from: month("from", "first month, YYYY-MM"),
    to: month("to", "last month, YYYY-MM"),
    events: Options.integer("events").pipe(Options.withDefault(20_000), Options.withDescription("events per month")),
    seed: Options.integer("seed").pipe(Options.withDefault(7)),
    lateFraction: Options.float("late-fraction").pipe(Options.withDefault(0.3)),
    malformedFraction: Options.float("malformed-fraction").pipe(Options.withDefault(0.001))
  },
  (args) =>
    Effect.gen(function* () {
      const landed = yield* landStreams(
        simulateStreams({
          seed: args.seed,
          months: monthRange(args.from, args.to),
          eventsPerMonth: args.events,
          lateFraction: args.lateFraction,
          malformedFraction: args.malformedFraction
        })
      )
      yield* Console.log(`landed ${landed.lines} lines in ${landed.files} files under landing/streaming/ (${args.from}..${args.to})`)
    })
).pipe(Command.withDescription("land simulated partner events for a range of months"))

/** `assets stream append`: one more file of valid events for one month (a late batch from a partner). */
const append = Command.make(
  "append",
  {
    month: month("month", "the month, YYYY-MM"),
    count: Options.integer("count").pipe(Options.withDefault(1000)),
    seed: Options.integer("seed").pipe(Options.withDefault(11))
  },
  (args) =>
    Effect.gen(function* () {
      const landed = yield* landStreams([appendEvents({ seed: args.seed, month: args.month, count: args.count })])
      yield* Console.log(`landed ${landed.lines} events for ${args.month}`)
    })
).pipe(Command.withDescription("land one more file of events for a month"))

export const streamCommand = Command.make("stream").pipe(
  Command.withDescription("the partner streaming feed"),
  Command.withSubcommands([simulate, append])
)
