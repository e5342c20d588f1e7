import { Config, Effect, Option } from "effect"

/**
 * Where a test may stop this process dead (SIGKILL, no cleanup), to prove that a crash at that moment leaves the
 * record and the data in agreement. `ASSETS_CRASH_POINT=after-persist:3` kills the process the third time it
 * passes `after-persist`. Unset (always, outside tests) it does nothing.
 */
export type CrashPoint = "after-persist" | "after-record" | "after-publish"

const setting = Config.option(Config.string("ASSETS_CRASH_POINT"))
const passes = new Map<string, number>()
// read once per process: it is passed three times per materialization, and a test sets it before the process starts
let read: Option.Option<string> | undefined

export const crashPoint = (name: CrashPoint): Effect.Effect<void> =>
  read !== undefined && Option.isNone(read)
    ? Effect.void
    : Effect.suspend(() =>
        read !== undefined ? Effect.sync(() => pass(name, read!)) : Effect.map(Effect.orDie(setting), (value) => pass(name, (read = value)))
      )

const pass = (name: CrashPoint, value: Option.Option<string>) => {
  if (Option.isNone(value)) return
  const [point, nth] = value.value.split(":")
  if (point !== name) return
  const seen = (passes.get(name) ?? 0) + 1
  passes.set(name, seen)
  if (seen >= Number(nth ?? 1)) process.kill(process.pid, "SIGKILL")
}
