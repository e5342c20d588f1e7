import { Console, Effect, Either, Option } from "effect"
import { BackfillStore } from "../../backfill/BackfillStore.js"
import type { Backfill } from "../../backfill/records.js"
import { createBackfill } from "../../backfill/createBackfill.js"
import { resumeBackfill } from "../../backfill/resumeBackfill.js"
import { progressOf, runBackfill } from "../../backfill/runBackfill.js"
import { backfillHint, leaseTtlMs, shownBackfillStatus } from "../../execute/liveness.js"
import { resolveSelection } from "../../graph/Selection.js"
import { PartitionError } from "../../partitions/PartitionsDefinition.js"
import { Project } from "../../project/Project.js"
import { at, plural } from "../format.js"
import { progressBar } from "../progressBar.js"
import { partitionRange } from "./partitionArgs.js"

const run = (id: string, workers: number, asJson: boolean) =>
  Effect.gen(function* () {
    const bar = progressBar()
    const store = yield* BackfillStore
    const result = yield* runBackfill({
      backfillId: id,
      concurrency: workers,
      onInterrupt: "cancel",
      ...(asJson ? {} : { onProgress: (p) => Effect.sync(() => bar.update(p)) })
    }).pipe(
      // Ctrl-C: the backfill is CANCELED with its unfinished tasks pending; say what was done and how to go on
      Effect.onInterrupt(() =>
        Effect.gen(function* () {
          if (!asJson) bar.end(undefined)
          const c = progressOf(yield* store.counts(id))
          yield* Console.error(
            `\nbackfill ${id} canceled: ${c.done} done, ${c.failed} failed, ${c.remaining} not run. \`assets backfill resume ${id}\` continues it; finished tasks are kept.`
          )
        }).pipe(Effect.ignore)
      )
    )
    if (!asJson) bar.end(result)
    if (asJson) yield* Console.log(JSON.stringify(result, null, 2))
    else yield* Console.log(`backfill ${id} ${result.status}: ${result.done} done, ${result.failed} failed, ${result.remaining} remaining (this process ran ${plural(result.claimed, "task")})`)
    if (result.failed > 0) process.exitCode = 1
  })

const shown = (b: Backfill) => Effect.map(leaseTtlMs, (ttl) => shownBackfillStatus(b, Date.now(), ttl))

const statusOf = (backfill: Backfill, asJson: boolean) =>
  Effect.gen(function* () {
    const store = yield* BackfillStore
    const id = backfill.id
    const tasks = yield* store.tasks(id)
    const status = yield* shown(backfill)
    if (asJson) return yield* Console.log(JSON.stringify({ backfill: { ...backfill, status, stored: backfill.status }, tasks }, null, 2))
    const by = (s: string) => tasks.filter((t) => t.state === s)
    const hint = backfillHint(id, status)
    yield* Console.log(
      `backfill ${id} ${status}: ${backfill.selection} ${backfill.from}..${backfill.to}${backfill.force ? " (force)" : ""}${hint ? `\n  ${hint}` : ""}\n` +
        ["succeeded", "skipped", "running", "pending", "failed", "abandoned"].map((s) => `  ${s.padEnd(10)} ${by(s).length}`).join("\n") +
        [...by("failed"), ...by("abandoned")].map((t) => `\n  ${t.state} ${at(t.asset, t.partition)}: ${t.message}`).join("")
    )
  })

/** `assets backfill`'s handler, loaded when the command runs (backfill.ts defines the command). */
export const backfill = (args: {
  readonly words: ReadonlyArray<string>
  readonly from: Option.Option<string>
  readonly to: Option.Option<string>
  readonly concurrency: number
  readonly force: boolean
  readonly detach: boolean
  readonly json: boolean
}) =>
  Effect.gen(function* () {
    const [verb, id] = args.words
    const store = yield* BackfillStore
    const needId = (v: string) =>
      id === undefined ? Effect.fail(new PartitionError({ message: `assets backfill ${v} <id>: name the backfill (assets backfill list shows them)` })) : Effect.succeed(id)
    // the backfill a verb names, or a usage error
    const named = (v: string) =>
      Effect.flatMap(needId(v), (bid) =>
        Effect.flatMap(store.get(bid), (b) =>
          b === undefined ? Effect.fail(new PartitionError({ message: `no backfill ${bid}: assets backfill list shows them` })) : Effect.succeed(b)
        )
      )
    switch (verb) {
      case undefined:
        return yield* new PartitionError({ message: "name a selection to backfill, e.g. assets backfill streaming_films --from 2023-01 --to 2023-12" })
      case "list": {
        const list = yield* Effect.forEach(yield* store.list(50), (b) => Effect.map(shown(b), (status) => ({ ...b, status, stored: b.status })))
        return yield* Console.log(
          args.json
            ? JSON.stringify(list, null, 2)
            : list.map((b) => `${b.id}  ${b.status.padEnd(9)} ${b.selection} ${b.from}..${b.to}  ${b.createdAt}`).join("\n") || "no backfills yet"
        )
      }
      case "status":
        return yield* statusOf(yield* named(verb), args.json)
      case "cancel": {
        const b = yield* named(verb)
        if (!(yield* store.setStatus(b.id, "CANCELED", ["RUNNING"]))) {
          const now = (yield* store.get(b.id))?.status ?? b.status
          return yield* new PartitionError({
            message: `backfill ${b.id} is ${now}: ${now === "CANCELED" ? "it was canceled already" : "it has finished, so there is nothing to cancel"}`
          })
        }
        return yield* Console.log(`backfill ${b.id} canceled: no new task starts; running tasks finish. \`assets backfill resume ${b.id}\` continues it.`)
      }
      case "resume": {
        const { id: bid } = yield* named(verb)
        const { reset } = yield* resumeBackfill(bid)
        if (!args.json) yield* Console.log(`resuming ${bid}: ${plural(reset, "failed or abandoned task")} back to pending; succeeded tasks are kept`)
        return yield* run(bid, args.concurrency, args.json)
      }
      default: {
        const { graph } = yield* Project
        const selection = args.words.join(",")
        const keys = yield* Either.match(resolveSelection(graph, selection), { onLeft: Effect.fail, onRight: Effect.succeed })
        if (Option.isNone(args.from) || Option.isNone(args.to)) {
          return yield* new PartitionError({ message: "a backfill needs --from and --to: the first and last partition (a key, or a date, month or year for time partitions)" })
        }
        const range = yield* partitionRange(graph, keys, { partition: Option.none(), from: args.from, to: args.to })
        const created = yield* createBackfill({ selection, range: range!, force: args.force })
        if (!args.json) {
          yield* Console.log(`backfill ${created.backfill.id}: ${plural(created.tasks.length, "task")} (${created.fresh} fresh asset partitions skipped)`)
          for (const note of created.notes) yield* Console.log(`  ${note}`)
        }
        if (args.detach) return yield* Console.log(args.json ? JSON.stringify({ id: created.backfill.id, tasks: created.tasks.length }) : `stored; run \`assets worker\` to work on it`)
        return yield* run(created.backfill.id, args.concurrency, args.json)
      }
    }
  })
