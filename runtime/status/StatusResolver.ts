import type { AssetDef } from "../asset/Asset.js"
import type { AssetKey } from "../asset/AssetKey.js"
import type { InputRecord, Materialization } from "../events/records.js"
import { digestLine, digestOfLines } from "./inputsDigest.js"
import type { AssetGraph, Edge } from "../graph/AssetGraph.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import { contextAt, type PartitionContext } from "../partitions/PartitionsDefinition.js"
import { locationOf, sideOutputsOf, type SideOutputSummary } from "../execute/outputs.js"
import type { Cause } from "./Cause.js"
import { slot, type State } from "./State.js"

export type Freshness = "MISSING" | "STALE" | "FRESH"

const noSideOutputs: Readonly<Record<string, SideOutputSummary>> = Object.freeze({})
// shared by every fresh partition: a status over a million partitions keeps each one's
const noCauses: ReadonlyArray<Cause> = Object.freeze([])
const missingCauses: ReadonlyArray<Cause> = Object.freeze([{ _tag: "Missing" } as const])
// the digest lines of one partition's inputs, built and hashed before anything else is asked (fromDigest)
const scratchLines: Array<string> = []

export interface PartitionStatus {
  readonly asset: AssetKey
  readonly partition: PartitionKey | null
  readonly status: Freshness
  readonly causes: ReadonlyArray<Cause>
}

/** One input partition as it is now: what a compute would read. */
export interface CurrentInput {
  readonly edge: Edge
  readonly partition: PartitionKey | null
  /** undefined when the upstream asset partition has not been materialized */
  readonly dataVersion: string | undefined
  readonly producerId: string | null
  /** where the producing materialization's output lives (its recorded version); undefined for a source */
  readonly location: string | undefined
  readonly source: boolean
}

/**
 * What was computed of an asset under a fingerprint that still holds (runtime/status/loadStatus.ts): the resolver
 * answers from it and needs none of the asset's records.
 */
export interface KnownAsset {
  readonly available: ReadonlyArray<PartitionKey | null>
  /** the statuses of `available`, in its order */
  readonly statuses: ReadonlyArray<PartitionStatus>
  readonly sideOutputs: ReadonlyMap<PartitionKey | null, Readonly<Record<string, SideOutputSummary>>>
  /** when its newest current materialization among its available partitions ended (epoch ms) */
  readonly newestAt: number | undefined
  readonly cannotExist: ReadonlyArray<{ readonly partitions: string; readonly reason: string }>
}

/**
 * Exact status of asset partitions against a State, with causes. Memoized for one State snapshot: make a new
 * resolver after the state changes. Assets in `known` are answered from what was computed before; the state need
 * hold only the records of the others and of what they read directly.
 */
export class StatusResolver {
  // memos by asset, then partition: no key text built per lookup (millions of them at 600,000 partitions)
  private readonly statusMemo = new Map<AssetKey, Map<PartitionKey | null, PartitionStatus>>()
  private readonly availableMemo = new Map<AssetKey, ReadonlyArray<PartitionKey>>()
  private readonly availableSets = new Map<AssetKey, ReadonlySet<PartitionKey>>()
  private readonly isAvailableMemo = new Map<AssetKey, Map<PartitionKey, boolean>>()

  /** the clock and the dynamic partitions' keys every definition is read against */
  readonly ctx: PartitionContext

  constructor(
    readonly graph: AssetGraph,
    readonly state: State,
    readonly now: Date = new Date(),
    known: ReadonlyMap<AssetKey, KnownAsset> = new Map()
  ) {
    this.ctx = contextAt(now, state.dynamicPartitions)
    this.known = new Map(known)
  }

  private readonly known: Map<AssetKey, KnownAsset>

  /**
   * Answers an asset from what was computed of it from now on, so its records may leave the state: status over a
   * million partitions holds the records of only what it still computes (runtime/status/loadStatus.ts).
   */
  learn(key: AssetKey, known: KnownAsset): void {
    const memo = this.statusMemo.get(key)
    // the memo is the index of its statuses when it holds nothing else (a partition not available, asked once)
    if (memo !== undefined && memo.size === known.statuses.length) this.knownIndex.set(key, memo)
    else this.knownIndex.delete(key)
    this.known.set(key, known)
    this.forgetAsset(key)
  }

  /** forgets what was worked out of an asset (its state changed: its records were read) */
  forgetAsset(key: AssetKey): void {
    this.statusMemo.delete(key)
    this.availableMemo.delete(key)
    this.availableSets.delete(key)
    this.isAvailableMemo.delete(key)
  }

  /** what was computed of an asset before, when it still holds */
  knownOf(key: AssetKey): KnownAsset | undefined {
    return this.known.get(key)
  }

  /** what a partition's current materialization's side outputs hold (rejected lines by reason, ...) */
  sideOutputs(key: AssetKey, p: PartitionKey | null): Readonly<Record<string, SideOutputSummary>> {
    const known = this.known.get(key)
    if (known !== undefined) return known.sideOutputs.get(p) ?? noSideOutputs
    const m = this.state.materialization(key, p)
    return m === undefined ? {} : sideOutputsOf(this.graph.get(key), m)
  }

  /** when the newest current materialization of an asset's available partitions ended (epoch ms) */
  newestMaterializedAt(key: AssetKey): number | undefined {
    const known = this.known.get(key)
    if (known !== undefined) return known.newestAt
    // the runtime writes ISO instants in UTC (24 characters, Z): those compare as text, and one is parsed
    let newestText: string | undefined
    let newest: number | undefined
    for (const p of this.available(key)) {
      const ended = this.state.materialization(key, p)?.endedAt
      if (ended === undefined) continue
      if (ended.length === 24 && ended.charCodeAt(23) === 90) {
        if (newestText === undefined || ended > newestText) newestText = ended
      } else newest = Math.max(newest ?? 0, Date.parse(ended))
    }
    return newestText === undefined ? newest : Math.max(newest ?? 0, Date.parse(newestText))
  }

  private readonly keysMemo = new Map<AssetKey, ReadonlyArray<PartitionKey>>()

  /** Every key of a partitioned asset's definition now, listed once per resolver (impossibility asks per partition). */
  private keysOf(key: AssetKey): ReadonlyArray<PartitionKey> {
    let keys = this.keysMemo.get(key)
    if (keys === undefined) this.keysMemo.set(key, (keys = this.graph.get(key).partitions?.keys(this.ctx) ?? []))
    return keys
  }

  /** The inputs through which partitions of `key` come into being: partitioned upstreams other than itself. */
  private creatingInputs(key: AssetKey): ReadonlyArray<Edge> {
    return this.graph.inputs(key).filter((e) => !e.self && this.graph.get(e.upstream).partitions !== undefined)
  }

  /**
   * The partitions of an asset that have data: observed for a source; for an asset, the months its partitioned
   * inputs map onto (or every month of its definition when it has none), plus those already materialized.
   * `[null]` for an unpartitioned asset.
   */
  available(key: AssetKey): ReadonlyArray<PartitionKey | null> {
    const def = this.graph.get(key)
    if (def.partitions === undefined) return [null]
    const known = this.known.get(key)
    if (known !== undefined) return known.available
    const memo = this.availableMemo.get(key)
    if (memo !== undefined) return memo
    const found = new Set<PartitionKey>()
    if (def._tag === "Source") {
      for (const p of this.state.observedPartitions(key)) found.add(p)
    } else {
      const partitionedInputs = this.creatingInputs(key)
      if (partitionedInputs.length === 0) for (const p of this.keysOf(key)) found.add(p)
      for (const e of partitionedInputs) {
        for (const up of this.available(e.upstream)) {
          const down = e.mapping.creates(up ?? undefined, this.ctx)
          if (down._tag === "Keys") for (const p of down.keys) found.add(p)
        }
      }
      for (const p of this.state.materializedPartitions(key)) found.add(p)
    }
    const partitions = def.partitions
    const result = [...found].filter((p) => partitions.contains(p, this.ctx)).sort(partitions.compare)
    this.availableMemo.set(key, result)
    this.availableSets.set(key, new Set(result))
    return result
  }

  /**
   * Whether one partition is among `available(key)`, without listing them all: a task's status then costs what its
   * own inputs cost, not what every partition of its upstream assets costs.
   */
  isAvailable(key: AssetKey, p: PartitionKey | null): boolean {
    const def = this.graph.get(key)
    if (def.partitions === undefined) return p === null
    if (p === null) return false
    if (this.known.has(key)) return this.knownStatus(key, p) !== undefined
    const listed = this.availableSets.get(key)
    if (listed !== undefined) return listed.has(p)
    let memos = this.isAvailableMemo.get(key)
    if (memos === undefined) this.isAvailableMemo.set(key, (memos = new Map()))
    const memo = memos.get(p)
    if (memo !== undefined) return memo
    let result: boolean
    if (!def.partitions.contains(p, this.ctx)) result = false
    else if (def._tag === "Source") result = this.state.observation(key, p) !== undefined
    else if (this.state.materialization(key, p) !== undefined) result = true
    else {
      const partitionedInputs = this.creatingInputs(key)
      result = partitionedInputs.length === 0 || partitionedInputs.some((e) => this.createdThrough(e, p))
    }
    memos.set(p, result)
    return result
  }

  /**
   * Why partition `p` of an asset can never exist, whatever data arrives (e.g. "upstream late starts 2024-05"), or
   * undefined when it can: it is within its own definition and one of its partitioned inputs could bring it into
   * being from a partition within that input's definition.
   */
  impossibility(key: AssetKey, p: PartitionKey): string | undefined {
    const def = this.graph.get(key)
    if (def.partitions === undefined) return `${key} is not partitioned`
    if (!def.partitions.contains(p, this.ctx)) return `${key}'s partitions ${def.partitions.rangeText(this.ctx)}`
    if (def._tag === "Source") return undefined
    const partitionedInputs = this.creatingInputs(key)
    if (partitionedInputs.length === 0) return undefined
    const reasons: Array<string> = []
    for (const edge of partitionedInputs) {
      const up = this.graph.get(edge.upstream)
      const reads = edge.mapping.upstream(p, this.ctx)
      if (reads._tag !== "Keys") return undefined
      const creators = reads.keys.filter((q) => {
        const down = edge.mapping.creates(q, this.ctx)
        return down._tag === "Keys" && down.keys.includes(p)
      })
      const inDefinition = creators.filter((q) => up.partitions!.contains(q, this.ctx))
      if (inDefinition.length === 0) {
        const upKeys = this.keysOf(edge.upstream)
        const compare = up.partitions!.compare
        const before = upKeys.length > 0 && creators.length > 0 && creators.every((q) => compare(q, upKeys[0]!) < 0)
        reasons.push(before ? `upstream ${edge.upstream} starts ${upKeys[0]}` : `upstream ${edge.upstream}'s partitions ${up.partitions!.rangeText(this.ctx)}`)
        continue
      }
      const deeper = inDefinition.map((q) => this.impossibility(edge.upstream, q))
      if (deeper.some((r) => r === undefined)) return undefined
      reasons.push(deeper[0]!)
    }
    return reasons[0]
  }

  /** Whether an available upstream partition brings `p` into being through this edge. */
  private createdThrough(edge: Edge, p: PartitionKey): boolean {
    const creates = (up: PartitionKey | null) => {
      const down = edge.mapping.creates(up ?? undefined, this.ctx)
      return down._tag === "Keys" && down.keys.includes(p)
    }
    // for these mappings, whatever creates p is among the partitions p reads: no need to look further
    const reads = edge.mapping.createdByWhatItReads ? edge.mapping.upstream(p, this.ctx) : undefined
    return reads?._tag === "Keys"
      ? reads.keys.some((up) => this.isAvailable(edge.upstream, up) && creates(up))
      : this.available(edge.upstream).some(creates)
  }

  /** The input partitions a compute of `key[partition]` reads now, with their current versions. */
  currentInputs(key: AssetKey, partition: PartitionKey | null): ReadonlyArray<CurrentInput> {
    const out: Array<CurrentInput> = []
    this.eachInput(key, partition, (edge, source, p) => {
      if (source) {
        const o = this.state.observation(edge.upstream, p)
        if (o !== undefined) out.push({ edge, partition: p, dataVersion: o.dataVersion, producerId: o.id, location: undefined, source: true })
      } else {
        const m = this.state.materialization(edge.upstream, p)
        out.push({ edge, partition: p, dataVersion: m?.dataVersion, producerId: m?.id ?? null, location: m === undefined ? undefined : locationOf(m), source: false })
      }
    })
    return out
  }

  /** What currentInputs lists, with the versions only: an upstream's records may be slimmed to them (loadStatus.ts). */
  private inputVersions(key: AssetKey, partition: PartitionKey | null) {
    const out: Array<{ readonly edge: Edge; readonly partition: PartitionKey | null; readonly dataVersion: string | undefined; readonly source: boolean }> = []
    this.eachInput(key, partition, (edge, source, p) => {
      if (!source) out.push({ edge, partition: p, dataVersion: this.state.dataVersionOf(edge.upstream, p), source })
      else {
        const o = this.state.observation(edge.upstream, p)
        if (o !== undefined) out.push({ edge, partition: p, dataVersion: o.dataVersion, source })
      }
    })
    return out
  }

  /**
   * Each input partition `key[partition]` reads now, in order: the available partitions each edge maps it onto
   * (those of sources only `withSources`).
   */
  private eachInput(key: AssetKey, partition: PartitionKey | null, f: (edge: Edge, source: boolean, p: PartitionKey | null) => void, withSources = true): void {
    for (const edge of this.graph.inputs(key)) {
      const source = this.graph.get(edge.upstream)._tag === "Source"
      if (source && !withSources) continue
      for (const p of this.inputPartitions(edge, partition)) f(edge, source, p)
    }
  }

  /** the available partitions of an edge's upstream that `partition` reads through it */
  private inputPartitions(edge: Edge, partition: PartitionKey | null): ReadonlyArray<PartitionKey | null> {
    const mapped = edge.mapping.upstream(partition ?? undefined, this.ctx)
    return mapped._tag === "Whole" ? [null] : mapped._tag === "All" ? this.available(edge.upstream) : mapped.keys.filter((p) => this.isAvailable(edge.upstream, p))
  }

  status(key: AssetKey, partition: PartitionKey | null): PartitionStatus {
    const known = this.knownStatus(key, partition)
    if (known !== undefined) return known
    let memos = this.statusMemo.get(key)
    if (memos === undefined) this.statusMemo.set(key, (memos = new Map()))
    const memo = memos.get(partition)
    if (memo !== undefined) return memo
    const result = this.compute(key, partition)
    memos.set(partition, result)
    return result
  }

  /** Status of every available partition of an asset. */
  statuses(key: AssetKey): ReadonlyArray<PartitionStatus> {
    return this.known.get(key)?.statuses ?? this.available(key).map((p) => this.status(key, p))
  }

  private readonly knownIndex = new Map<AssetKey, ReadonlyMap<PartitionKey | null, PartitionStatus>>()

  /** a known asset's status of one partition, indexed the first time one is asked (most never are) */
  private knownStatus(key: AssetKey, p: PartitionKey | null): PartitionStatus | undefined {
    const known = this.known.get(key)
    if (known === undefined) return undefined
    let index = this.knownIndex.get(key)
    if (index === undefined) this.knownIndex.set(key, (index = new Map(known.statuses.map((s) => [s.partition, s]))))
    return index.get(p)
  }

  /** records whose inputs must be read for their causes: what they read differs from what their inputs hold now */
  readonly inputsToRead = new Set<Materialization>()

  /**
   * The status of a record read without its inputs. When what it read (its digest) is what its inputs hold now,
   * only a code change and stale inputs can make it stale, as `compute` would find. Otherwise it is stale (any
   * difference is a cause there) and its causes wait for its inputs: it is listed in `inputsToRead`, and `forget`
   * drops this answer once they are in the state.
   */
  private fromDigest(key: AssetKey, partition: PartitionKey | null, digest: string | null, causes: Array<Cause>): PartitionStatus {
    const m = this.state.materialization(key, partition)!
    // what currentInputs lists, as digest lines, without an object per input (a million partitions read three each)
    const lines = scratchLines
    lines.length = 0
    const upstream: Array<AssetKey | PartitionKey | null> = []
    let missing = false
    for (const edge of this.graph.inputs(key)) {
      const source = this.graph.get(edge.upstream)._tag === "Source"
      // eachInput's loop, inline: a closure per partition here was a third more garbage collection
      for (const p of this.inputPartitions(edge, partition)) {
        if (source) {
          const o = this.state.observation(edge.upstream, p)
          if (o !== undefined) lines.push(digestLine(edge.upstream, p, o.dataVersion))
        } else {
          const version = this.state.dataVersionOf(edge.upstream, p)
          if (version === undefined) missing = true
          else lines.push(digestLine(edge.upstream, p, version))
          upstream.push(edge.upstream, p)
        }
      }
    }
    if (digest === null || missing || digest !== digestOfLines(lines)) {
      this.inputsToRead.add(m)
      return { asset: key, partition, status: "STALE", causes }
    }
    for (let i = 0; i < upstream.length; i += 2) {
      const up = upstream[i] as AssetKey
      const p = upstream[i + 1] as PartitionKey | null
      if (this.status(up, p).status !== "FRESH") causes.push({ _tag: "UpstreamStale", input: up, partition: p })
    }
    return causes.length === 0 ? { asset: key, partition, status: "FRESH", causes: noCauses } : { asset: key, partition, status: "STALE", causes }
  }

  /**
   * An asset's statuses again from what was computed of it before, when nothing it was computed from changed but
   * its upstreams' statuses: the same records, the same upstream versions and partitions (loadStatus.ts checks
   * this with its versions print). Every cause but "input is stale" came from its records and stays; "input is
   * stale" is asked again of each input that read what it holds now, in the order `compute` gives causes.
   */
  restate(key: AssetKey, cached: KnownAsset): ReadonlyArray<PartitionStatus> {
    return cached.statuses.map((s) => this.restated(key, s))
  }

  /**
   * `restate` when partitions were added at the end of its keys or its inputs' partitions (`gained`, by input, in
   * the order of its inputs): its statuses on `available` (worked out now), the partitions it had restated and the
   * new ones missing. Undefined when one it had reads a new partition, or one it had is gone: it is computed.
   */
  restateGrown(key: AssetKey, cached: KnownAsset, available: ReadonlyArray<PartitionKey | null>, gained: ReadonlyArray<ReadonlyArray<PartitionKey | null>>): ReadonlyArray<PartitionStatus> | undefined {
    const edges = this.graph.inputs(key)
    const news = gained.map((g) => new Set(g))
    const before = new Map(cached.statuses.map((s) => [s.partition, s]))
    const reads = (p: PartitionKey | null) =>
      edges.some((edge, i) => {
        if (news[i]!.size === 0) return false
        const mapped = edge.mapping.upstream(p ?? undefined, this.ctx)
        return mapped._tag === "All" || (mapped._tag === "Keys" && mapped.keys.some((q) => news[i]!.has(q)))
      })
    const out: Array<PartitionStatus> = []
    let kept = 0
    for (const p of available) {
      const s = before.get(p)
      if (s === undefined) out.push({ asset: key, partition: p, status: "MISSING", causes: missingCauses })
      else if (reads(p)) return undefined
      else {
        out.push(this.restated(key, s))
        kept++
      }
    }
    return kept === before.size ? out : undefined
  }

  /**
   * One partition's status again, its upstreams' statuses asked now (see `restate`). Its lists are made only when
   * a cause needs them: most partitions were fresh or stale through an upstream only, and restating a quarter of a
   * million of them with a list, a map and a set each made this the status's main garbage. A fresh one that stays
   * fresh is itself again.
   */
  private restated(key: AssetKey, s: PartitionStatus): PartitionStatus {
    if (s.status === "MISSING") return s
    let leading: Array<Cause> | undefined
    let trailing: Array<Cause> | undefined
    // what an input partition's record said of it, by slot, in order (two edges may read the same partition)
    let perInput: Map<string, Array<Cause>> | undefined
    let added: Set<string> | undefined
    for (const c of s.causes) {
      switch (c._tag) {
        case "UpstreamStale":
        case "Missing":
          break
        case "InputPartitionRemoved":
          ;(trailing ??= []).push(c)
          break
        case "UpstreamMissing":
        case "InputPartitionAdded":
        case "InputChanged": {
          const at = slot(c.input, c.partition)
          const list = (perInput ??= new Map()).get(at)
          if (list === undefined) perInput.set(at, [c])
          else list.push(c)
          break
        }
        default:
          if (c._tag === "DependencyAdded") (added ??= new Set()).add(c.input)
          ;(leading ??= []).push(c)
      }
    }
    let causes = leading
    // a source's partition is never stale: only what its record said of it comes back, so without such causes its
    // edges are not walked
    this.eachInput(
      key,
      s.partition,
      (edge, source, p) => {
        if (source && this.state.observation(edge.upstream, p) === undefined) return
        const said = perInput?.get(slot(edge.upstream, p))?.shift()
        if (said !== undefined) (causes ??= []).push(said)
        else if (!source && added?.has(edge.upstream) !== true && this.status(edge.upstream, p).status !== "FRESH") {
          ;(causes ??= []).push({ _tag: "UpstreamStale", input: edge.upstream, partition: p })
        }
      },
      perInput !== undefined
    )
    if (trailing !== undefined) (causes ??= []).push(...trailing)
    if (causes !== undefined) return { asset: key, partition: s.partition, status: "STALE", causes }
    return s.status === "FRESH" ? s : { asset: key, partition: s.partition, status: "FRESH", causes: noCauses }
  }

  /** forgets the statuses computed of these records, once their inputs are in the state */
  forget(records: Iterable<Materialization>): void {
    for (const m of records) {
      this.statusMemo.get(m.asset)?.delete(m.partition)
      this.inputsToRead.delete(m)
    }
  }

  private compute(key: AssetKey, partition: PartitionKey | null): PartitionStatus {
    const def = this.graph.get(key)
    if (def._tag === "Source") {
      const observed = this.state.observation(key, partition) !== undefined
      return { asset: key, partition, status: observed ? "FRESH" : "MISSING", causes: observed ? noCauses : missingCauses }
    }
    const m = this.state.materialization(key, partition)
    if (m === undefined) return { asset: key, partition, status: "MISSING", causes: missingCauses }
    const causes: Array<Cause> = []
    if (m.codeVersion !== (def as AssetDef).codeVersion) {
      causes.push({ _tag: "CodeChanged", from: m.codeVersion, to: (def as AssetDef).codeVersion })
    }
    const digest = this.state.inputsDigestOf(m)
    if (digest !== undefined) return this.fromDigest(key, partition, digest, causes)
    const depKeys = new Set(this.graph.inputs(key).map((e) => e.upstream as string))
    const readKeys = new Set(m.inputs.map((i) => i.asset as string))
    const current = this.inputVersions(key, partition)
    // an input with nothing to read (the first month's previous month, a month no upstream partition maps onto) adds nothing
    const readable = new Set(current.map((i) => i.edge.upstream as string))
    for (const k of depKeys) if (!readKeys.has(k) && readable.has(k)) causes.push({ _tag: "DependencyAdded", input: k })
    for (const k of readKeys) if (!depKeys.has(k)) causes.push({ _tag: "DependencyRemoved", input: k })

    const recorded = new Map<string, InputRecord>(m.inputs.map((i) => [slot(i.asset, i.partition), i]))
    const seen = new Set<string>()
    for (const input of current) {
      const up = input.edge.upstream
      const s = slot(up, input.partition)
      seen.add(s)
      const was = recorded.get(s)
      if (input.dataVersion === undefined) {
        causes.push({ _tag: "UpstreamMissing", input: up, partition: input.partition })
      } else if (was === undefined) {
        if (readKeys.has(up)) causes.push({ _tag: "InputPartitionAdded", input: up, partition: input.partition })
      } else if (was.dataVersion !== input.dataVersion) {
        causes.push({ _tag: "InputChanged", input: up, partition: input.partition, from: was.dataVersion, to: input.dataVersion, source: input.source })
      } else if (!input.source && this.status(up, input.partition).status !== "FRESH") {
        causes.push({ _tag: "UpstreamStale", input: up, partition: input.partition })
      }
    }
    for (const [s, was] of recorded) {
      if (!seen.has(s) && depKeys.has(was.asset)) {
        causes.push({ _tag: "InputPartitionRemoved", input: was.asset, partition: was.partition })
      }
    }
    return causes.length === 0 ? { asset: key, partition, status: "FRESH", causes: noCauses } : { asset: key, partition, status: "STALE", causes }
  }
}
