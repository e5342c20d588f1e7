import { readFileSync } from "node:fs"
import { Command, Options } from "@effect/cli"
import { Config, Console, Duration, Effect, Option } from "effect"
import { parseDuration } from "sakila-assets"
import { appendEvents, monthRange, simulateStreams } from "../generated/simulateStreams.js"
import { landStreams } from "./landStreams.js"
import { generate as runGenerator, GeneratorError, printProgress, progressLine } from "./generate.js"
import { compileTemplate, sakilaTemplate, TemplateError } from "./kdgTemplate.js"

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

/**
 * `assets stream generate`: partner events over HTTP, as the Kinesis Data Generator sends them, to a server's
 * ingest endpoint (`assets serve`), at a steady rate, from the original pipeline's template or one of your own.
 */
const generate = Command.make(
  "generate",
  {
    rate: Options.float("rate").pipe(Options.withDefault(10), Options.withDescription("records per second")),
    duration: Options.text("duration").pipe(Options.withDefault("10m"), Options.withDescription("how long: 30s, 10m, 1h")),
    to: Options.text("to").pipe(Options.withDefault("http://127.0.0.1:3000"), Options.withDescription("the server (assets serve)")),
    template: Options.file("template", { exists: "yes" }).pipe(Options.optional, Options.withDescription("a KDG record template (default: the original pipeline's)")),
    malformed: Options.float("malformed").pipe(Options.withDefault(0), Options.withDescription("fraction of records sent malformed, for testing")),
    source: Options.text("source").pipe(Options.withDefault("streaming_landing"), Options.withDescription("the source that takes the records")),
    seed: Options.integer("seed").pipe(Options.withDefault(7)),
    batch: Options.integer("batch").pipe(Options.withDefault(500), Options.withDescription("records per request, at most 500"))
  },
  (args) =>
    Effect.gen(function* () {
      const duration = parseDuration(args.duration as Duration.DurationInput)
      if (duration === undefined) return yield* new GeneratorError({ message: `--duration ${args.duration} is not a duration: write 30s, 10m or 1h` })
      if (!(args.rate > 0)) return yield* new GeneratorError({ message: "--rate must be more than 0 records per second" })
      if (!(args.malformed >= 0 && args.malformed <= 1)) return yield* new GeneratorError({ message: "--malformed is a fraction from 0 to 1" })
      if (!(args.batch >= 1 && args.batch <= 500)) return yield* new GeneratorError({ message: "--batch is 1 to 500 records (a batch takes at most 500)" })
      const template = yield* Effect.try({
        try: () => compileTemplate(Option.match(args.template, { onNone: () => sakilaTemplate, onSome: (file) => readFileSync(file, "utf8") })),
        catch: (e) => new GeneratorError({ message: `the template: ${e instanceof TemplateError ? e.message : String(e)}` })
      })
      const token = Option.getOrUndefined(yield* Config.option(Config.string("ASSETS_API_TOKEN")))
      yield* Console.log(`sending ${args.rate} records/s for ${args.duration} to ${args.to} (source ${args.source}); Ctrl-C stops`)
      const result = yield* runGenerator({ ...args, duration, template, token, onProgress: printProgress() })
      yield* Console.log(`${process.stdout.isTTY ? "\n" : ""}done: ${progressLine(result)}`)
    })
).pipe(Command.withDescription("send partner events to a server's ingest endpoint at a steady rate, as the Kinesis Data Generator does"))

export const streamCommand = Command.make("stream").pipe(
  Command.withDescription("the partner streaming feed"),
  Command.withSubcommands([simulate, append, generate])
)
