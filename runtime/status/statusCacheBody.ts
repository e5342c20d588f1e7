import { Either, Schema } from "effect"
import type { AssetKey } from "../asset/AssetKey.js"
import type { SideOutputSummary } from "../execute/outputs.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import { Cause } from "./Cause.js"
import type { Freshness, KnownAsset, PartitionStatus, StatusResolver } from "./StatusResolver.js"
import { cannotExist } from "./summary.js"
import type { Extent } from "./versionsPrint.js"

/**
 * One asset's statuses as the cache keeps them: its available partitions in order ("keys" when they are every key
 * of its definition now, as they mostly are), a letter per partition (F fresh, S stale, M missing), and only for
 * the others their causes; side outputs for the partitions with any.
 */
interface Body {
  readonly partitions: ReadonlyArray<PartitionKey | null> | "keys"
  readonly statuses: string
  /** each an object, but "input is stale", which is most of them downstream of a change: [input, partition] */
  readonly causes: Readonly<Record<string, ReadonlyArray<Cause | StaleInput>>>
  readonly sideOutputs: Readonly<Record<string, Readonly<Record<string, SideOutputSummary>>>>
  readonly newestAt: number | null
  readonly cannotExist: KnownAsset["cannotExist"]
  /** what the statuses were computed from but the upstreams' statuses and how many partitions (versionsPrint.ts) */
  readonly versionsPrint?: string
  /** the extents of the lists its partitions and inputs came from (versionsPrint.ts) */
  readonly extents?: ReadonlyArray<Extent | null>
}

const letter: Record<Freshness, string> = { FRESH: "F", STALE: "S", MISSING: "M" }
const freshness: Record<string, Freshness> = { F: "FRESH", S: "STALE", M: "MISSING" }
const none: ReadonlyArray<Cause> = Object.freeze([])

const sameKeys = (a: ReadonlyArray<PartitionKey | null>, b: ReadonlyArray<PartitionKey>) => a.length === b.length && a.every((p, i) => p === b[i])

/** The body of an asset's entry, from a resolver that computed it. */
export const encodeBody = (resolver: StatusResolver, key: AssetKey, versions?: { readonly print: string; readonly extents: ReadonlyArray<Extent | null> }): string => {
  const statuses = resolver.statuses(key)
  const causes: Record<string, ReadonlyArray<Cause | StaleInput>> = {}
  const sideOutputs: Record<string, Readonly<Record<string, SideOutputSummary>>> = {}
  let letters = ""
  statuses.forEach((s, i) => {
    letters += letter[s.status]
    if (s.causes.length > 0) causes[i] = s.causes.map(compactCause)
    const side = resolver.sideOutputs(key, s.partition)
    if (Object.keys(side).length > 0) sideOutputs[i] = side
  })
  const available = statuses.map((s) => s.partition)
  const keys = resolver.graph.get(key).partitions?.keys(resolver.ctx)
  const body: Body = {
    partitions: keys !== undefined && sameKeys(available, keys) ? "keys" : available,
    statuses: letters,
    causes,
    sideOutputs,
    newestAt: resolver.newestMaterializedAt(key) ?? null,
    cannotExist: cannotExist(resolver, key),
    ...(versions === undefined ? {} : { versionsPrint: versions.print, extents: versions.extents })
  }
  return JSON.stringify(body)
}

type StaleInput = readonly [input: string, partition: string | null]

const isExtent = (e: unknown): e is Extent | null =>
  e === null || (Array.isArray(e) && e.length === 2 && Number.isInteger(e[0]) && (e[0] as number) >= 0 && typeof e[1] === "string")

const compactCause = (c: Cause): Cause | StaleInput => (c._tag === "UpstreamStale" ? [c.input, c.partition] : c)

const decodeCause = Schema.decodeUnknownEither(Cause)

/** A body's causes, or undefined when one is not a cause; "input is stale" checked by hand (the most of them). */
const causesOf = (given: unknown): ReadonlyArray<Cause> | undefined => {
  if (!Array.isArray(given)) return undefined
  const out: Array<Cause> = new Array(given.length)
  for (let i = 0; i < given.length; i++) {
    const c: unknown = given[i]
    if (Array.isArray(c)) {
      const [input, partition] = c as Array<unknown>
      if (c.length !== 2 || typeof input !== "string" || (partition !== null && typeof partition !== "string")) return undefined
      out[i] = { _tag: "UpstreamStale", input, partition }
    } else {
      const decoded = decodeCause(c)
      if (Either.isLeft(decoded)) return undefined
      out[i] = decoded.right
    }
  }
  return out
}

/**
 * What an entry's body says, or undefined when it is not one this code wrote (it is then computed again). `keys`:
 * the asset's definition's keys now, which a body written as "keys" stands for (the fingerprint holds them).
 */
export const decodeBody = (
  key: AssetKey,
  text: string,
  keys: () => ReadonlyArray<PartitionKey>
): (KnownAsset & { readonly versionsPrint: string | undefined; readonly extents: ReadonlyArray<Extent | null> }) | undefined => {
  let body: Body
  try {
    body = JSON.parse(text) as Body
  } catch {
    return undefined
  }
  if (typeof body !== "object" || body === null || typeof body.statuses !== "string") return undefined
  const partitions = body.partitions === "keys" ? keys() : body.partitions
  if (!Array.isArray(partitions) || body.statuses.length !== partitions.length || typeof body.causes !== "object" || typeof body.sideOutputs !== "object") return undefined
  if (!Array.isArray(body.cannotExist) || (body.newestAt !== null && typeof body.newestAt !== "number")) return undefined
  const statuses: Array<PartitionStatus> = new Array(partitions.length)
  for (let i = 0; i < partitions.length; i++) {
    const partition = partitions[i]!
    const status = freshness[body.statuses[i]!]
    if (status === undefined || (partition !== null && typeof partition !== "string")) return undefined
    let causes = none
    if (status !== "FRESH") {
      const decoded = causesOf(body.causes[i])
      if (decoded === undefined) return undefined
      causes = decoded
    }
    statuses[i] = { asset: key, partition, status, causes }
  }
  const sideOutputs = new Map<PartitionKey | null, Readonly<Record<string, SideOutputSummary>>>()
  for (const [i, side] of Object.entries(body.sideOutputs)) sideOutputs.set(partitions[Number(i)] ?? null, side)
  // a print without extents of the expected shape is not restated from
  const extents = Array.isArray(body.extents) && body.extents.every(isExtent) ? body.extents : undefined
  const versionsPrint = typeof body.versionsPrint === "string" && extents !== undefined ? body.versionsPrint : undefined
  return { available: partitions, statuses, sideOutputs, newestAt: body.newestAt ?? undefined, cannotExist: body.cannotExist, versionsPrint, extents: extents ?? [] }
}
