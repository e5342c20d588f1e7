/** Levenshtein distance, for "did you mean" suggestions. */
const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length]!
}

/** Up to `n` known names close to `name` (by edit distance, or containing it), best first. */
export const closest = (name: string, known: ReadonlyArray<string>, n = 3): ReadonlyArray<string> =>
  known
    .map((k) => ({ k, d: k.includes(name) || name.includes(k) ? Math.min(1, distance(name, k)) : distance(name, k) }))
    .filter(({ d, k }) => d <= Math.max(2, Math.floor(Math.max(name.length, k.length) / 3)))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .slice(0, n)
    .map(({ k }) => k)
