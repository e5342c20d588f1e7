import { Cron } from "croner"
import { Data, Duration } from "effect"
import { parseDuration } from "../settings/duration.js"

/** A condition or policy an asset declares that the framework cannot use, reported when the configuration loads. */
export class AutomationDefinitionError extends Data.TaggedError("AutomationDefinitionError")<{ readonly message: string }> {}

/**
 * When the daemon (`assets daemon`, `assets serve --daemon`) materializes an asset partition, as data: the
 * conditions are evaluated per partition at every tick, each giving its reason (runtime/automation/evaluate.ts).
 */
export type AutomationCondition =
  /** missing, or an input has new data (an input partition changed, was added or removed, or runs this tick) */
  | { readonly _tag: "Eager" }
  /** never materialized (from the first tick on) */
  | { readonly _tag: "OnMissing" }
  /** a time of the cron schedule passed since the previous tick, and the partition is missing or stale */
  | { readonly _tag: "OnCron"; readonly cron: string; readonly timezone: string }
  | { readonly _tag: "And"; readonly conditions: ReadonlyArray<AutomationCondition> }
  | { readonly _tag: "Or"; readonly conditions: ReadonlyArray<AutomationCondition> }
  | { readonly _tag: "Not"; readonly condition: AutomationCondition }
  /** the condition as if these inputs did not exist: their new data, missing or running partitions do not count */
  | { readonly _tag: "Ignoring"; readonly condition: AutomationCondition; readonly assets: ReadonlyArray<string> }

/** Materialize when an input has new data or the partition is missing, once its inputs exist (Dagster's eager). */
export const eager = (): AutomationCondition => ({ _tag: "Eager" })

/** Materialize a partition that was never materialized, including on the daemon's first tick. */
export const onMissing = (): AutomationCondition => ({ _tag: "OnMissing" })

/** Materialize what is missing or stale each time the cron schedule passes (`0 6 * * *`), in a time zone (default UTC). */
export const onCron = (cron: string, options: { readonly timezone?: string } = {}): AutomationCondition => {
  const timezone = options.timezone ?? "UTC"
  try {
    new Cron(cron, { timezone, paused: true })
  } catch (e) {
    throw new AutomationDefinitionError({ message: `onCron("${cron}", ${timezone}): ${(e as Error).message}: write five fields (minute hour day month weekday), e.g. "0 6 * * *"` })
  }
  return { _tag: "OnCron", cron, timezone }
}

export const and = (...conditions: ReadonlyArray<AutomationCondition>): AutomationCondition => ({ _tag: "And", conditions })
export const or = (...conditions: ReadonlyArray<AutomationCondition>): AutomationCondition => ({ _tag: "Or", conditions })
export const not = (condition: AutomationCondition): AutomationCondition => ({ _tag: "Not", condition })

/** `condition` with the given inputs left out of it, e.g. `ignoring(eager(), filmCategory)`: a new film_category alone does not run it. */
export const ignoring = (condition: AutomationCondition, ...assets: ReadonlyArray<{ readonly key: string } | string>): AutomationCondition => ({
  _tag: "Ignoring",
  condition,
  assets: assets.map((a) => (typeof a === "string" ? a : a.key))
})

/** One line for a condition: `eager`, `on cron 0 6 * * * (Europe/Paris)`, `eager and not on missing`. */
export const describeCondition = (c: AutomationCondition): string => {
  switch (c._tag) {
    case "Eager":
      return "eager"
    case "OnMissing":
      return "on missing"
    case "OnCron":
      return `on cron ${c.cron} (${c.timezone})`
    case "And":
      return c.conditions.map((x) => (x._tag === "Or" ? `(${describeCondition(x)})` : describeCondition(x))).join(" and ")
    case "Or":
      return c.conditions.map((x) => (x._tag === "And" ? `(${describeCondition(x)})` : describeCondition(x))).join(" or ")
    case "Not":
      return `not ${c.condition._tag === "And" || c.condition._tag === "Or" ? `(${describeCondition(c.condition)})` : describeCondition(c.condition)}`
    case "Ignoring":
      return `${describeCondition(c.condition)} ignoring ${c.assets.join(", ")}`
  }
}

/** How old an asset's newest data may get: past `maxLag` while it is not fresh, it is overdue. */
export interface FreshnessPolicy {
  readonly maxLag: Duration.Duration
}

/** A freshness policy as an asset declares it: `{ maxLag: "15m" }`. */
export const freshnessPolicy = (key: string, options: { readonly maxLag: Duration.DurationInput | string }): FreshnessPolicy => {
  const maxLag = parseDuration(options.maxLag)
  if (maxLag === undefined || Duration.toMillis(maxLag) <= 0) {
    throw new AutomationDefinitionError({ message: `asset '${key}': freshness maxLag '${String(options.maxLag)}' is not a duration: write e.g. "15m", "2h" or "1d"` })
  }
  return { maxLag }
}
