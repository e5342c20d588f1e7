import { hostname } from "node:os"
import { Cause, Clock, Duration, Effect, Exit, FiberSet, Option, Queue } from "effect"
import type { AssetKey } from "../asset/AssetKey.js"
import { newId } from "../events/ids.js"
import { leaseTtlMs } from "../execute/liveness.js"
import { loadState, materialize, type MaterializeResult } from "../execute/materialize.js"
import { messageOf } from "../execute/materializePartition.js"
import { LeaseStore } from "../lease/LeaseStore.js"
import { keyRanges } from "../partitions/keyRanges.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import { Project } from "../project/Project.js"
import { slot } from "../status/State.js"
import { StatusResolver } from "../status/StatusResolver.js"
import { evaluate, type Evaluated } from "./evaluate.js"
import { TickStore, type Decision, type Tick, type TickStatus } from "./TickStore.js"

/** The lease that lets one daemon at a time evaluate: several daemons on one store take turns, never double-launch. */
export const TICK_LEASE = { asset: "_automation", partition: "tick" } as const

export interface DaemonOptions {
  /** the longest a tick's evaluation may take; past it the tick stops, recorded TIMED_OUT, and the next starts over */
  readonly budget: Duration.Duration
  /** asset partitions at once in each run it launches */
  readonly concurrency: number
  /** told when a launched run ends */
  readonly onRunEnd?: (runId: string, result: Exit.Exit<MaterializeResult, unknown>) => Effect.Effect<void>
}

/** A person's line for a decision: `streaming_films[2023-08]: input … has a new data version → run`. */
export const describeDecision = (d: Decision): string => `${d.partition === null ? d.asset : `${d.asset}[${d.partition}]`}: ${d.reason} → ${d.decision}`

const thisDaemon = () => `${hostname()}:${process.pid}`

/** The decisions of one evaluation: a line per partition that runs, waits or is running; the others grouped by reason. */
const decisionsOf = (
  evaluated: ReadonlyArray<Evaluated>,
  launched: ReadonlySet<string>,
  runId: string,
  running: ReadonlyMap<string, string>,
  partitionsOf: (asset: AssetKey) => Parameters<typeof keyRanges>[1]
): Array<Decision> => {
  // in evaluation order; the skipped partitions of an asset with one reason at the place of the first of them
  const out: Array<Decision | { asset: AssetKey; reason: string; partitions: Array<PartitionKey | null> }> = []
  const skipped = new Map<string, { asset: AssetKey; reason: string; partitions: Array<PartitionKey | null> }>()
  for (const e of evaluated) {
    const s = slot(e.asset, e.partition)
    if (e.verdict.run && launched.has(s)) out.push({ asset: e.asset, partition: e.partition, decision: "run", reason: e.verdict.reason, runId })
    else if (e.verdict.run) {
      out.push({ asset: e.asset, partition: e.partition, decision: "running", reason: `${e.verdict.reason}, but it is being materialized (${running.get(s) ?? "another runner"})`, runId: null })
    } else if (e.verdict.waits === true) out.push({ asset: e.asset, partition: e.partition, decision: "wait", reason: e.verdict.reason, runId: null })
    else {
      const id = `${e.asset}\u0000${e.verdict.reason}`
      let group = skipped.get(id)
      if (group === undefined) {
        skipped.set(id, (group = { asset: e.asset, reason: e.verdict.reason, partitions: [] }))
        out.push(group)
      }
      group.partitions.push(e.partition)
    }
  }
  return out.map((d): Decision => {
    if ("decision" in d) return d
    const keys = d.partitions.filter((p): p is PartitionKey => p !== null)
    return d.partitions.length === 1
      ? { asset: d.asset, partition: d.partitions[0]!, decision: "skip", reason: d.reason, runId: null }
      : { asset: d.asset, partition: null, decision: "skip", reason: `${keyRanges(keys, partitionsOf(d.asset))}: ${d.reason}`, runId: null }
  })
}

/**
 * The automation daemon of a project: `tick` evaluates every asset's condition once and launches what it decided
 * in one run, through the same planner, leases and executor as `assets materialize`. A tick holds the store's tick
 * lease while it evaluates and claims each partition it launches (as the run's own lease holder), so a partition
 * already being materialized is never launched, and daemons sharing a store never launch one twice. Launched runs
 * live in the daemon's scope: closing it cancels them.
 */
export const makeDaemon = Effect.fn("Daemon.make")(function* (options: DaemonOptions) {
  const runs = yield* FiberSet.make()
  // a launched run that ended wakes the loop: what arrived while it ran need not wait for the next interval
  const runEnded = yield* Queue.sliding<void>(1)
  const { graph } = yield* Project
  const leases = yield* LeaseStore
  const ticks = yield* TickStore
  const ttlMs = yield* leaseTtlMs
  const automated = graph.order.filter((k) => {
    const d = graph.get(k)
    return d._tag === "Asset" && d.automation !== undefined
  })
  const partitionsOf = (k: AssetKey) => graph.get(k).partitions

  const tick = Effect.gen(function* () {
    const id = newId("t")
    const startedMs = yield* Clock.currentTimeMillis
    const startedAt = new Date(startedMs).toISOString()
    const holder = `${thisDaemon()}:${id}`
    const finish = (status: TickStatus, message: string, decisions: ReadonlyArray<Decision> = [], runIds: ReadonlyArray<string> = []) =>
      Effect.gen(function* () {
        const tick: Tick = { id, daemon: thisDaemon(), startedAt, endedAt: new Date(yield* Clock.currentTimeMillis).toISOString(), status, message, runIds, decisions }
        yield* ticks.record(tick)
        return tick
      })

    if (automated.length === 0) return yield* finish("SUCCESS", "no asset declares automation: nothing to evaluate")
    if (!(yield* leases.acquire(TICK_LEASE.asset, TICK_LEASE.partition, holder, ttlMs))) {
      const other = yield* leases.current(TICK_LEASE.asset, TICK_LEASE.partition)
      return yield* finish("SKIPPED", `another daemon (${other?.holder ?? "unknown"}) is evaluating: this tick leaves it to that one`)
    }

    // the run this tick may launch: its partitions are claimed under the run's own lease holder
    const runId = newId("r")
    const runHolder = `${hostname()}:${process.pid}:${runId}`
    const unclaim = leases.releaseHeldBy(runHolder).pipe(Effect.ignore)
    const evaluation = Effect.gen(function* () {
      const previous = Option.fromNullable(yield* ticks.latest)
      const state = yield* loadState(graph, automated, { record: true })
      const resolver = new StatusResolver(graph, state, new Date(startedMs))
      const running = new Map((yield* leases.live()).map((l) => [slot(l.asset, l.partition), l.holder] as const))
      const evaluated = evaluate({
        resolver,
        now: new Date(startedMs),
        previous: Option.match(previous, { onNone: () => undefined, onSome: (t) => new Date(t.startedAt) }),
        running
      })
      // claim what runs, as the run's own lease holder: its executor takes them as its own; anyone else waits
      const launched = new Set<string>()
      for (const e of evaluated) {
        const s = slot(e.asset, e.partition)
        if (!e.verdict.run || running.has(s)) continue
        if (yield* leases.acquire(e.asset, e.partition, runHolder, ttlMs)) launched.add(s)
      }
      const decisions = decisionsOf(evaluated, launched, runId, running, partitionsOf)
      return { decisions, launched, evaluated }
    })

    const exit = yield* evaluation.pipe(
      Effect.timeoutOption(options.budget),
      Effect.ensuring(leases.release(TICK_LEASE.asset, TICK_LEASE.partition, holder).pipe(Effect.ignore)),
      // a signal, or the daemon's scope closing: the tick says so, and what it claimed goes back
      Effect.onInterrupt(() => Effect.zipRight(unclaim, finish("CANCELED", "canceled while evaluating: nothing was launched").pipe(Effect.ignore))),
      Effect.exit
    )
    if (Exit.isFailure(exit)) {
      yield* unclaim
      return yield* finish("FAILURE", `evaluation failed: ${messageOf(Cause.squash(exit.cause))}`)
    }
    if (Option.isNone(exit.value)) {
      yield* unclaim
      return yield* finish("TIMED_OUT", `evaluation took longer than its budget (${Duration.format(options.budget)}): stopped, nothing launched; the next tick starts over`)
    }
    const { decisions, launched, evaluated } = exit.value.value
    if (launched.size === 0) {
      const waiting = decisions.filter((d) => d.decision !== "skip").length
      return yield* finish("SUCCESS", `${evaluated.length} asset partitions evaluated: nothing to launch${waiting > 0 ? ` (${waiting} waiting or running)` : ""}`, decisions)
    }
    const chosen = evaluated.filter((e) => launched.has(slot(e.asset, e.partition)))
    const keys = [...new Set(chosen.map((e) => e.asset))]
    const partitioned = chosen.map((e) => e.partition).filter((p): p is PartitionKey => p !== null).sort()
    const range = partitioned.length === 0 ? undefined : { from: partitioned[0]!, to: partitioned[partitioned.length - 1]! }
    // recorded, then launched, as one step: a signal between the two would leave claims no run releases
    const launch = Effect.gen(function* () {
      const recorded = yield* finish(
        "SUCCESS",
        `launched run ${runId} for ${chosen.length} asset partition${chosen.length === 1 ? "" : "s"}: ${keys.join(", ")}${range ? ` (${range.from === range.to ? range.from : `${range.from}..${range.to}`})` : ""}`,
        decisions,
        [runId]
      )
      // forked from the uninterruptible step below, the run itself is interruptible (a signal cancels it)
      yield* FiberSet.run(
        runs,
        Effect.interruptible(materialize({ selection: keys.join(","), range, runId, concurrency: options.concurrency })).pipe(
          Effect.exit,
          // a claimed partition the plan found fresh again (or never reached) is free for the next tick at once
          Effect.tap(() => leases.releaseHeldBy(runHolder).pipe(Effect.ignore)),
          Effect.flatMap((result) => options.onRunEnd?.(runId, result) ?? Effect.void),
          Effect.zipRight(Queue.offer(runEnded, undefined)),
          Effect.onInterrupt(() => leases.releaseHeldBy(runHolder).pipe(Effect.ignore))
        )
      )
      return recorded
    })
    return yield* launch.pipe(Effect.tapErrorCause(() => unclaim), Effect.uninterruptible)
  })

  return { tick, automated, runs, runEnded }
})

/**
 * Ticks every `interval` (measured from each tick's start), and at once when a run it launched ends (what arrived
 * meanwhile goes on without waiting out the interval), until interrupted; `onTick` is told each tick.
 */
export const runDaemon = (
  daemon: Effect.Effect.Success<ReturnType<typeof makeDaemon>>,
  interval: Duration.Duration,
  onTick: (tick: Tick) => Effect.Effect<void> = () => Effect.void
) =>
  Effect.gen(function* () {
    for (;;) {
      const started = yield* Clock.currentTimeMillis
      const tick = yield* daemon.tick.pipe(
        Effect.catchAll((e) => Effect.as(Effect.logWarning(`automation tick failed: ${messageOf(e)}`), undefined))
      )
      if (tick !== undefined) yield* onTick(tick)
      const elapsed = (yield* Clock.currentTimeMillis) - started
      yield* Effect.raceFirst(Effect.sleep(Duration.millis(Math.max(0, Duration.toMillis(interval) - elapsed))), Queue.take(daemon.runEnded))
    }
  })
