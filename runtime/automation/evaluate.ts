import { Cron } from "croner"
import type { AssetKey } from "../asset/AssetKey.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import { describeCause, type Cause } from "../status/Cause.js"
import { slot } from "../status/State.js"
import type { StatusResolver } from "../status/StatusResolver.js"
import type { AutomationCondition } from "./AutomationCondition.js"

/** What a condition says for one asset partition, and why, in words a person reads in `assets ticks`. */
export interface Verdict {
  readonly run: boolean
  readonly reason: string
  /** the partition waits for an input (missing or running): not a "no", a "not yet" */
  readonly waits?: boolean
}

/** One asset partition the evaluation looked at. */
export interface Evaluated {
  readonly asset: AssetKey
  readonly partition: PartitionKey | null
  readonly verdict: Verdict
}

export interface EvaluationContext {
  readonly resolver: StatusResolver
  /** the time of this tick, and of the previous one that evaluated (a cron time between them has passed) */
  readonly now: Date
  readonly previous: Date | undefined
  /** asset partitions being materialized now (live leases), by slot: who holds them */
  readonly running: ReadonlyMap<string, string>
}

const at = (asset: string, partition: string | null) => (partition === null ? asset : `${asset}[${partition}]`)

/** Causes that say an input has data this partition has not read: what `eager` reacts to. */
const newData = (c: Cause): c is Extract<Cause, { input: string }> =>
  c._tag === "InputChanged" || c._tag === "InputPartitionAdded" || c._tag === "InputPartitionRemoved"

/**
 * Evaluates the automated assets in dependency order. A partition requested earlier in the same tick counts as
 * new data for what reads it, so a change runs down the graph in one tick and one run (an input "runs this tick").
 */
export const evaluate = (ctx: EvaluationContext): ReadonlyArray<Evaluated> => {
  const { resolver } = ctx
  const graph = resolver.graph
  const requested = new Set<string>()
  const out: Array<Evaluated> = []

  const cronPassed = (cron: string, timezone: string): Date | undefined => {
    const from = ctx.previous ?? new Date(ctx.now.getTime() - 1)
    const next = new Cron(cron, { timezone, paused: true }).nextRun(from)
    return next !== null && next.getTime() <= ctx.now.getTime() ? next : undefined
  }

  const verdict = (c: AutomationCondition, asset: AssetKey, partition: PartitionKey | null, ignored: ReadonlySet<string>): Verdict => {
    const status = resolver.status(asset, partition)
    switch (c._tag) {
      case "OnMissing":
        return status.status === "MISSING" ? { run: true, reason: "never materialized" } : { run: false, reason: "materialized" }
      case "OnCron": {
        const passed = cronPassed(c.cron, c.timezone)
        if (passed === undefined) {
          const next = new Cron(c.cron, { timezone: c.timezone, paused: true }).nextRun(ctx.now)
          return { run: false, reason: `cron ${c.cron} (${c.timezone}) next at ${next?.toISOString() ?? "never"}` }
        }
        if (status.status === "FRESH") return { run: false, reason: `cron ${c.cron} passed at ${passed.toISOString()}, but it is fresh` }
        return { run: true, reason: `cron ${c.cron} (${c.timezone}) passed at ${passed.toISOString()} and it is ${status.status.toLowerCase()}` }
      }
      case "Eager": {
        // inputs it cannot run without: missing and not coming this tick, or being materialized now
        for (const input of resolver.currentInputs(asset, partition)) {
          const up = input.edge.upstream
          if (ignored.has(up) || input.source) continue
          const s = slot(up, input.partition)
          const holder = ctx.running.get(s)
          if (holder !== undefined && !requested.has(s)) return { run: false, waits: true, reason: `waits: input ${at(up, input.partition)} is being materialized (${holder})` }
          if (input.dataVersion === undefined && !requested.has(s)) return { run: false, waits: true, reason: `waits: input ${at(up, input.partition)} is missing` }
        }
        if (status.status === "MISSING") return { run: true, reason: "never materialized" }
        const triggers = status.causes.filter((cause) => newData(cause) && !ignored.has(cause.input))
        if (triggers.length > 0) return { run: true, reason: describeCause(triggers[0]!) }
        const coming = status.causes.find(
          (cause): cause is Extract<Cause, { _tag: "UpstreamStale" | "UpstreamMissing" }> =>
            (cause._tag === "UpstreamStale" || cause._tag === "UpstreamMissing") && !ignored.has(cause.input) && requested.has(slot(cause.input, cause.partition))
        )
        if (coming !== undefined) return { run: true, reason: `input ${at(coming.input, coming.partition)} runs this tick` }
        if (status.status === "FRESH") return { run: false, reason: "fresh" }
        return { run: false, reason: `no new data in its inputs (${status.causes.map(describeCause).slice(0, 2).join("; ")})` }
      }
      case "And": {
        const parts = c.conditions.map((x) => verdict(x, asset, partition, ignored))
        const no = parts.find((p) => !p.run)
        return no ?? { run: true, reason: parts.map((p) => p.reason).join(" and ") }
      }
      case "Or": {
        const parts = c.conditions.map((x) => verdict(x, asset, partition, ignored))
        const yes = parts.find((p) => p.run)
        return yes ?? { run: false, waits: parts.some((p) => p.waits === true), reason: parts.map((p) => p.reason).join("; ") }
      }
      case "Not": {
        const inner = verdict(c.condition, asset, partition, ignored)
        return { run: !inner.run, reason: `not (${inner.reason})` }
      }
      case "Ignoring":
        return verdict(c.condition, asset, partition, new Set([...ignored, ...c.assets]))
    }
  }

  for (const key of graph.order) {
    const def = graph.get(key)
    if (def._tag !== "Asset" || def.automation === undefined) continue
    for (const partition of resolver.available(key)) {
      const v = verdict(def.automation, key, partition, new Set())
      // one being materialized now is not launched again: what reads it waits for it
      if (v.run && !ctx.running.has(slot(key, partition))) requested.add(slot(key, partition))
      out.push({ asset: key, partition, verdict: v })
    }
  }
  return out
}
