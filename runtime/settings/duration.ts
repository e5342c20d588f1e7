import { Config, ConfigError, Duration, Either } from "effect"

/** A duration as people write one: `15m`, `30s`, `2h`, `1d`, `500ms`, or as Effect does (`15 minutes`). */
export const parseDuration = (text: Duration.DurationInput | string): Duration.Duration | undefined => {
  if (typeof text === "string") {
    const short = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(text.trim())
    if (short !== null) {
      const n = Number(short[1])
      return { ms: Duration.millis(n), s: Duration.seconds(n), m: Duration.minutes(n), h: Duration.hours(n), d: Duration.days(n) }[short[2] as "ms"]
    }
  }
  try {
    return Duration.decode(text as Duration.DurationInput)
  } catch {
    return undefined
  }
}

/** A setting that is a positive duration in either spelling (`ASSETS_DAEMON_INTERVAL=10s`). */
export const durationConfig = (name: string): Config.Config<Duration.Duration> =>
  Config.mapOrFail(Config.string(name), (text) => {
    const d = parseDuration(text)
    return d === undefined || Duration.toMillis(d) <= 0
      ? Either.left(ConfigError.InvalidData([name], `${name}=${text} is not a duration: write e.g. 30s, 2m or 1h`))
      : Either.right(d)
  })
