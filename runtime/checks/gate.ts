import { Data, Effect } from "effect"
import { sideOutputPath, type AssetDef, type InputFiles, type SqlContext } from "../asset/Asset.js"
import { Lake } from "../lake/Lake.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import type { CheckResult } from "./CheckResult.js"
import { CheckStore } from "./CheckStore.js"
import { runChecks } from "./runChecks.js"

/** A blocking check failed: the output stays unpublished, and what reads it is abandoned. */
export class CheckFailedError extends Data.TaggedError("CheckFailedError")<{
  readonly asset: string
  readonly partition: string | null
  readonly failed: ReadonlyArray<CheckResult>
}> {
  override get message() {
    const where = `${this.asset}${this.partition ? `[${this.partition}]` : ""}`
    return `${this.failed.map((r) => `check ${r.check} failed on ${where}: ${describeFailure(r)}`).join("; ")}; the new output was not published: what was current before stays current`
  }
}

/** "17 failing rows, e.g. {"film_id":1001}" or an Effect check's message. */
export const describeFailure = (r: CheckResult): string => {
  const example = r.sample[0] === undefined ? "" : `, e.g. ${clip(JSON.stringify(r.sample[0]))}`
  return `${r.message}${example}`
}

const clip = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s)

/** The names of a failed task's blocking checks, for what its downstream says: "check a, b failed". */
export const blockedBy = (results: ReadonlyArray<CheckResult>): string | undefined => {
  const names = results.filter((r) => r.blocking && r.status !== "PASSED").map((r) => r.check)
  return names.length === 0 ? undefined : `check ${names.join(", ")} failed`
}

/**
 * The gate between staging and the record: the asset's checks over this partition's staged output (and staged side
 * outputs), their results recorded in one write, then a failed blocking check stops the materialization before
 * anything is persisted. An asset without checks costs nothing here.
 */
export const checkBeforePublish = Effect.fn("Checks.beforePublish")(function* (
  staged: {
    readonly asset: AssetDef<any, any>
    readonly partition: PartitionKey | null
    readonly materializationId: string
    readonly runId: string
    readonly output: string
    readonly rowCount: number
    /** what the side outputs wrote: `<name>_rows` for each */
    readonly metadata: Readonly<Record<string, unknown>>
    readonly inputs: Readonly<Record<string, InputFiles>>
    readonly window: SqlContext["window"]
    /** the checks' counts as the engine's check of the output counted them (runChecks.scannedCounts) */
    readonly counted?: ReadonlyArray<number> | undefined
  },
  onResults?: (results: ReadonlyArray<CheckResult>) => Effect.Effect<void>
) {
  const { asset, partition, runId } = staged
  if (asset.checks.length === 0) return [] as ReadonlyArray<CheckResult>
  const lake = yield* Lake
  const sideOutputs = Object.fromEntries(
    Object.keys(asset.sideOutputs).map((name) => [
      name,
      {
        files: { format: "parquet" as const, paths: [lake.stagingPath(runId, sideOutputPath(asset, partition ?? undefined, name))], columns: undefined },
        rows: Number(staged.metadata[`${name}_rows`] ?? 0)
      }
    ])
  )
  const results = yield* runChecks({
    asset,
    partition,
    materializationId: staged.materializationId,
    runId,
    output: { format: asset.format, paths: [staged.output], columns: asset.columns },
    rowCount: staged.rowCount,
    sideOutputs,
    inputs: staged.inputs,
    window: staged.window,
    counted: staged.counted
  })
  yield* (yield* CheckStore).record(results)
  if (onResults) yield* onResults(results)
  const failed = results.filter((r) => r.blocking && r.status !== "PASSED")
  if (failed.length > 0) return yield* new CheckFailedError({ asset: asset.key, partition, failed })
  return results
})
