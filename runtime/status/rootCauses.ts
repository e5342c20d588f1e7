import type { AssetKey } from "../asset/AssetKey.js"
import type { PartitionKey } from "../partitions/PartitionKey.js"
import { describeCause, type Cause } from "./Cause.js"
import { slot } from "./State.js"
import type { StatusResolver } from "./StatusResolver.js"

/** A cause where staleness starts: a code change, a source's new data, a missing partition, with where it is. */
export interface RootCause {
  readonly asset: AssetKey
  readonly partition: PartitionKey | null
  readonly cause: Cause
  readonly message: string
}

/**
 * The root causes of an asset partition's staleness: its causes, with each stale or missing input replaced by
 * that input's own causes, walked to where they start. Each asset partition is visited once, so a diamond reports
 * the change at its top once, however many paths lead there.
 */
export const rootCauses = (resolver: StatusResolver, asset: AssetKey, partition: PartitionKey | null): ReadonlyArray<RootCause> => {
  const roots: Array<RootCause> = []
  const seenRoots = new Set<string>()
  const visited = new Set<string>([slot(asset, partition)])
  const stack: Array<readonly [AssetKey, PartitionKey | null]> = [[asset, partition]]
  while (stack.length > 0) {
    const [a, p] = stack.pop()!
    for (const cause of resolver.status(a, p).causes) {
      const walks =
        (cause._tag === "UpstreamStale" || cause._tag === "UpstreamMissing") && resolver.graph.has(cause.input) && resolver.graph.get(cause.input as AssetKey)._tag === "Asset"
      if (walks) {
        const next = slot(cause.input, cause.partition)
        if (!visited.has(next)) {
          visited.add(next)
          stack.push([cause.input as AssetKey, cause.partition as PartitionKey | null])
        }
        continue
      }
      const id = `${slot(a, p)}\u0000${JSON.stringify(cause)}`
      if (seenRoots.has(id)) continue
      seenRoots.add(id)
      roots.push({ asset: a, partition: p, cause, message: `${p === null ? a : `${a}[${p}]`}: ${describeCause(cause)}` })
    }
  }
  return roots
}
