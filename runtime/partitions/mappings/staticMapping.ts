import { keysOf, type PartitionMapping } from "./PartitionMapping.js"

/**
 * Static to static by an explicit map from each upstream key to the downstream key(s) it feeds, e.g.
 * `staticMapping({ us: "americas", ca: "americas", de: "europe" })`.
 */
export const staticMapping = (map: Readonly<Record<string, string | ReadonlyArray<string>>>): PartitionMapping => {
  const down = new Map(Object.entries(map).map(([u, d]) => [u, typeof d === "string" ? [d] : [...d]] as const))
  const up = new Map<string, Array<string>>()
  for (const [u, ds] of down) for (const d of ds) up.set(d, [...(up.get(d) ?? []), u])
  return {
    _tag: "StaticMap",
    describe: `static map (${[...down].map(([u, ds]) => `${u} -> ${ds.join("+")}`).join(", ")})`,
    check: ({ upstream, downstream }) => {
      if (upstream?._tag !== "Static" || downstream?._tag !== "Static") return "a static map needs static partitions on both sides"
      const ctx = { now: new Date(0), dynamicKeys: () => [], hasDynamicKey: () => false }
      const badUp = [...down.keys()].filter((u) => !upstream.contains(u, ctx))
      const badDown = [...up.keys()].filter((d) => !downstream.contains(d, ctx))
      if (badUp.length > 0) return `the map names ${badUp.join(", ")}, not among the upstream's keys (${upstream.describe})`
      if (badDown.length > 0) return `the map names ${badDown.join(", ")}, not among the downstream's keys (${downstream.describe})`
      return undefined
    },
    upstream: (p) => (p === undefined ? { _tag: "All" } : keysOf(up.get(p) ?? [])),
    downstream: (p) => (p === undefined ? { _tag: "All" } : keysOf(down.get(p) ?? []))
  }
}
