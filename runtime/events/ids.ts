import { randomBytes } from "node:crypto"

let last = 0
let counter = 0
// random bytes drawn a pool at a time: one call per id cost tens of microseconds, a no-op task makes two ids
let pool = Buffer.alloc(0)
let used = 0
const random4 = (): string => {
  if (used + 4 > pool.length) {
    pool = randomBytes(4096)
    used = 0
  }
  used += 4
  return pool.toString("hex", used - 4, used)
}

/**
 * Sortable ids (time, then a counter, then randomness): string order is creation order within a process and
 * roughly across processes, which keeps cursors over materializations cheap in any SQL database.
 */
export const newId = (prefix: string): string => {
  const now = Date.now()
  counter = now === last ? counter + 1 : 0
  last = now
  return `${prefix}${now.toString(36).padStart(9, "0")}${counter.toString(36).padStart(3, "0")}${random4()}`
}
