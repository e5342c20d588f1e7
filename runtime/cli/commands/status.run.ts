import { Console, Effect, Either, Option } from "effect"
import { loadState } from "../../execute/materialize.js"
import { resolveSelection } from "../../graph/Selection.js"
import { Project } from "../../project/Project.js"
import { StatusResolver } from "../../status/StatusResolver.js"
import { loadRunStates, summarize, type AssetStatusSummary } from "../../status/summary.js"
import { monthRanges } from "../format.js"
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

const line = (s: AssetStatusSummary): string => {
  const head = `${s.status.padEnd(8)} ${s.asset.padEnd(24)}`
  if (s.kind === "source") {
    return `${head} source, ${s.partitioned ? `${s.partitions.length} months with data (${monthRanges(s.partitions.map((p) => p.partition!))})` : s.status === "FRESH" ? "observed" : "not observed"}`
  }
  const impossible = s.cannotExist.map((c) => `\n           ${c.partitions}: cannot exist: ${c.reason}`).join("")
  if (!s.partitioned) {
    const p = s.partitions[0]!
    return `${head}${p.failure ? `\n           - ${failureText(p.failure)}` : ""}${p.causes.map((c) => `\n           - ${c.message}`).join("")}`
  }
  const bad = s.partitions.filter((p) => p.status !== "FRESH")
  const runs = `${s.counts.RUNNING > 0 ? `, ${s.counts.RUNNING} running` : ""}${s.counts.FAILED > 0 ? `, ${s.counts.FAILED} failed` : ""}${sideTotals(s)}`
  const why = (p: AssetStatusSummary["partitions"][number]) =>
    p.failure ? failureText(p.failure) : `${p.run === "RUNNING" ? "(running) " : ""}${p.causes.map((c) => c.message).slice(0, 2).join("; ")}`
  return `${head} ${s.partitions.length} partitions: ${s.counts.FRESH} fresh, ${s.counts.STALE} stale, ${s.counts.MISSING} missing${runs}${bad
    .slice(0, 6)
    .map((p) => `\n           ${p.partition}: ${why(p)}`)
    .join("")}${bad.length > 6 ? `\n           ... ${bad.length - 6} more` : ""}${impossible}`
}

/** `assets status`'s handler, loaded when the command runs (status.ts defines the command). */
export const status = (args: { readonly selection: Option.Option<string>; readonly json: boolean }) =>
  Effect.gen(function* () {
    const { graph } = yield* Project
    const keys = Option.isSome(args.selection)
      ? yield* Either.match(resolveSelection(graph, args.selection.value), { onLeft: Effect.fail, onRight: Effect.succeed })
      : graph.order
    const resolver = new StatusResolver(graph, yield* loadState(graph, keys))
    const runs = yield* loadRunStates(keys)
    const summaries = keys.map((k) => summarize(resolver, k, runs))
    yield* Console.log(args.json ? JSON.stringify(summaries, null, 2) : summaries.map(line).join("\n"))
  })
