export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number
  pick<T>(xs: readonly T[]): T
  weighted<T>(pairs: ReadonlyArray<readonly [T, number]>): T
}

/** FNV-1a over a seed and string labels, so independent streams can be derived (e.g. one per month). */
export const deriveSeed = (seed: number, ...labels: ReadonlyArray<string>): number => {
  let h = (0x811c9dc5 ^ (seed | 0)) >>> 0
  h = Math.imul(h, 0x01000193) >>> 0
  for (const label of labels) {
    for (let i = 0; i < label.length; i++) {
      h ^= label.charCodeAt(i)
      h = Math.imul(h, 0x01000193) >>> 0
    }
    h ^= 0xff
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

/** mulberry32: tiny, fast, good enough for test data (not cryptographic). */
export const makeRng = (seed: number): Rng => {
  // Fold non-integer / large seeds into 32 bits.
  let a = (Math.trunc(seed) ^ Math.trunc(seed / 0x100000000)) >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  const pick = <T>(xs: readonly T[]): T => {
    if (xs.length === 0) throw new Error("pick from empty array")
    return xs[Math.floor(next() * xs.length)] as T
  }
  const weighted = <T>(pairs: ReadonlyArray<readonly [T, number]>): T => {
    // Index loops: this sits on the per-event hot path.
    let total = 0
    for (let i = 0; i < pairs.length; i++) total += pairs[i]![1]
    if (!(total > 0)) throw new Error("weighted: total weight must be > 0")
    let r = next() * total
    for (let i = 0; i < pairs.length; i++) {
      r -= pairs[i]![1]
      if (r < 0) return pairs[i]![0]
    }
    return pairs[pairs.length - 1]![0]
  }
  return { next, int, pick, weighted }
}
