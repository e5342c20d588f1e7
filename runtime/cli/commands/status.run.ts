import { Console, Effect, Either, Option } from "effect"
import { describeFreshness, freshnessOf, type FreshnessView } from "../../automation/freshness.js"
import { loadCheckStates, type ShownCheck } from "../../checks/checkStates.js"
import { resolveSelection } from "../../graph/Selection.js"
import { Project } from "../../project/Project.js"
import { loadStatus } from "../../status/loadStatus.js"
import { rootCauses, type RootCause } from "../../status/rootCauses.js"
import type { AssetKey } from "../../asset/AssetKey.js"
import type { AssetGraph } from "../../graph/AssetGraph.js"
import { loadRunStates, summarize, type AssetStatusSummary as Summary, type PartitionShown } from "../../status/summary.js"
import { keyRanges } from "../format.js"
import type { Failure } from "../../events/records.js"

/** The first line of a failure, with the run that shows all of it. */
const failureText = (f: Failure) => `failed in run ${f.runId} at ${f.at}: ${f.message.split("\n")[0]} (\`assets runs show ${f.runId}\` has all of it)`

/** e.g. ", 12 rows rejected": what the partitions' counted side outputs hold, summed */
const sideTotals = (s: AssetStatusSummary): string => {
  const totals = new Map<string, number>()
  for (const p of s.partitions) {
    for (const [name, side] of Object.entries(p.sideOutputs)) if (side.countBy) totals.set(name, (totals.get(name) ?? 0) + side.rows)
  }
  return [...totals].filter(([, n]) => n > 0).map(([name, n]) => `, ${n} rows ${name}`).join("")
}

type PartitionSummary = PartitionShown
/** a summary as printed: with --why, its partitions are copies with their root causes */
type AssetStatusSummary = Omit<Summary, "partitions"> & { readonly partitions: ReadonlyArray<PartitionShown> }

/** "check unique_id failed: 3 failing rows", the check's own message, and "(stale)" when it changed since it ran */
const checkText = (c: ShownCheck) => `check ${c.check} ${c.status === "FAILED" ? "failed" : "warned"}: ${c.message}${c.stale ? " (stale: the check changed since)" : ""}`

/** A partition's failing checks; with a failure (which names the blocking ones) only the others. */
const checksOf = (p: PartitionSummary) => (p.failure ? p.checks.filter((c) => !c.blocking) : p.checks)

/** e.g. ", 2 with failed checks, 1 warned" */
const checkTotals = (s: AssetStatusSummary): string => {
  const failed = s.partitions.filter((p) => p.checks.some((c) => c.status === "FAILED")).length
  const warned = s.partitions.filter((p) => p.checks.some((c) => c.status === "WARNED")).length
  return `${failed > 0 ? `, ${failed} with failed checks` : ""}${warned > 0 ? `, ${warned} with warnings` : ""}`
}

const staleText = (s: AssetStatusSummary) =>
  s.staleChecks
    .map((c) => `\n           checks changed since they ran: ${c.check} (${c.partitions} partition${c.partitions === 1 ? "" : "s"}): assets check ${s.asset}`)
    .join("")

const line = (s: AssetStatusSummary): string => {
  const head = `${s.status.padEnd(8)} ${s.asset.padEnd(24)}`
  if (s.kind === "source") {
    return `${head} source, ${s.partitioned ? `${s.partitions.length} partitions with data (${keyRanges(s.partitions.map((p) => p.partition!))})` : s.status === "FRESH" ? "observed" : "not observed"}`
  }
  const impossible = s.cannotExist.map((c) => `\n           ${c.partitions}: cannot exist: ${c.reason}`).join("")
  if (!s.partitioned) {
    const p = s.partitions[0]!
    return `${head}${p.failure ? `\n           - ${failureText(p.failure)}` : ""}${p.causes.map((c) => `\n           - ${c.message}`).join("")}${checksOf(p)
      .map((c) => `\n           - ${checkText(c)}`)
      .join("")}${staleText(s)}`
  }
  const bad = s.partitions.filter((p) => p.status !== "FRESH" || p.checks.length > 0)
  const runs = `${s.counts.RUNNING > 0 ? `, ${s.counts.RUNNING} running` : ""}${s.counts.FAILED > 0 ? `, ${s.counts.FAILED} failed` : ""}${checkTotals(s)}${sideTotals(s)}`
  const why = (p: PartitionSummary) =>
    [
      p.failure ? failureText(p.failure) : `${p.run === "RUNNING" ? "(running) " : ""}${p.causes.map((c) => c.message).slice(0, 2).join("; ")}`,
      ...checksOf(p).map(checkText)
    ]
      .filter((t) => t !== "")
      .join("; ")
  return `${head} ${s.partitions.length} partitions: ${s.counts.FRESH} fresh, ${s.counts.STALE} stale, ${s.counts.MISSING} missing${runs}${bad
    .slice(0, 6)
    .map((p) => `\n           ${p.partition}: ${why(p)}`)
    .join("")}${bad.length > 6 ? `\n           ... ${bad.length - 6} more` : ""}${impossible}${staleText(s)}`
}

/** The asset and everything that reads it, directly or not. */
const downstreamClosure = (graph: AssetGraph, key: AssetKey): ReadonlySet<AssetKey> => {
  const seen = new Set<AssetKey>([key])
  const stack = [key]
  while (stack.length > 0) {
    for (const e of graph.outputs(stack.pop()!)) {
      if (seen.has(e.downstream)) continue
      seen.add(e.downstream)
      stack.push(e.downstream)
    }
  }
  return seen
}

/** The root causes of the stale partitions, grouped by cause so a change upstream of 36 months reads once. */
const whyText = (s: AssetStatusSummary): string => {
  const byRoot = new Map<string, Array<string>>()
  for (const p of s.partitions as ReadonlyArray<PartitionSummary & { rootCauses?: ReadonlyArray<RootCause> }>) {
    for (const r of p.rootCauses ?? []) byRoot.set(r.message, [...(byRoot.get(r.message) ?? []), p.partition ?? ""])
  }
  if (byRoot.size === 0) return ""
  return `\n           root causes:${[...byRoot]
    .map(([message, ps]) => `\n             ${message}${s.partitioned ? ` (for ${keyRanges(ps)})` : ""}`)
    .join("")}`
}

/** an asset whose status cannot be known now: a source it reads cannot be observed */
interface Unknown {
  readonly asset: AssetKey
  readonly status: "UNKNOWN"
  readonly errors: ReadonlyArray<string>
}

/** the asset's freshness policy as it stands, for an asset that has one */
const withPolicy = (f: FreshnessView | undefined): { freshnessPolicy?: FreshnessView } => (f === undefined ? {} : { freshnessPolicy: f })

/** `assets status`'s handler, loaded when the command runs (status.ts defines the command). */
export const status = (args: { readonly selection: Option.Option<string>; readonly json: boolean; readonly why: boolean }) =>
  Effect.gen(function* () {
    const { graph } = yield* Project
    const keys = Option.isSome(args.selection)
      ? yield* Either.match(resolveSelection(graph, args.selection.value), { onLeft: Effect.fail, onRight: Effect.succeed })
      : graph.order
    const view = yield* loadStatus(graph, keys)
    const { resolver } = view
    const state = resolver.state
    const runs = yield* loadRunStates(keys)
    const checks = yield* loadCheckStates(graph, keys)
    // an asset reading a source that cannot be observed now has no status to show, only that source's error: one
    // walk down from each failed source (none, usually), not one walk up from every asset
    const blockedBy = new Map<AssetKey, Array<AssetKey>>()
    for (const source of state.failedSources.keys()) {
      for (const k of downstreamClosure(graph, source)) blockedBy.set(k, [...(blockedBy.get(k) ?? []), source])
    }
    const unknown = (k: AssetKey) => blockedBy.get(k) ?? []
    const summaries = keys.map((k): Unknown | (AssetStatusSummary & { readonly freshnessPolicy?: FreshnessView }) => {
      const blocked = unknown(k)
      if (blocked.length > 0) return { asset: k, status: "UNKNOWN" as const, errors: blocked.map((u) => state.failedSources.get(u)!) }
      const s = { ...summarize(resolver, k, runs, checks), ...withPolicy(freshnessOf(resolver, k)) }
      if (!args.why) return s
      const partitions = s.partitions.map((p) => (p.freshness === "FRESH" ? p : { ...p.shown(), rootCauses: rootCauses(resolver, k, p.partition) }))
      return { ...s, partitions }
    })
    const text = (s: (typeof summaries)[number]) =>
      "errors" in s
        ? `${"UNKNOWN".padEnd(8)} ${s.asset.padEnd(24)}${s.errors.map((e) => `\n           - ${e}`).join("")}`
        : `${line(s)}${s.freshnessPolicy?.overdue ? `\n           ${describeFreshness(s.freshnessPolicy)}` : ""}${args.why ? whyText(s) : ""}`
    yield* Console.log(args.json ? JSON.stringify(summaries, null, 2) : summaries.map(text).join("\n"))
    yield* view.save
  })
