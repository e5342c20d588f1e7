import { Config, Duration, Effect, Option } from "effect"
import { durationConfig, parseDuration } from "../settings/duration.js"

/** A command-line option that must be a duration (`30s`, `2m`, `30 seconds`). */
const optionDuration = (name: string, text: string): Effect.Effect<Duration.Duration, Error> => {
  const d = parseDuration(text)
  return d === undefined || Duration.toMillis(d) <= 0 ? Effect.fail(new Error(`${name} ${text} is not a duration: write e.g. 30s, 2m or 1h`)) : Effect.succeed(d)
}

/**
 * How often the daemon ticks (ASSETS_DAEMON_INTERVAL, default 30 s) and the time each tick's evaluation may take
 * (ASSETS_DAEMON_TICK_BUDGET, default the interval); command-line options win over the settings.
 */
export const daemonSettings = (options: { readonly interval: Option.Option<string>; readonly budget: Option.Option<string> }) =>
  Effect.gen(function* () {
    const interval = Option.isSome(options.interval)
      ? yield* optionDuration("--interval", options.interval.value)
      : yield* Config.withDefault(durationConfig("ASSETS_DAEMON_INTERVAL"), Duration.seconds(30))
    const budget = Option.isSome(options.budget)
      ? yield* optionDuration("--tick-budget", options.budget.value)
      : yield* Config.withDefault(durationConfig("ASSETS_DAEMON_TICK_BUDGET"), interval)
    return { interval, budget }
  })
