import { randomBytes } from "node:crypto"

let last = 0
let counter = 0

/**
 * Sortable ids (time, then a counter, then randomness): string order is creation order within a process and
 * roughly across processes, which keeps cursors over materializations cheap in any SQL database.
 */
export const newId = (prefix: string): string => {
  const now = Date.now()
  counter = now === last ? counter + 1 : 0
  last = now
  return `${prefix}${now.toString(36).padStart(9, "0")}${counter.toString(36).padStart(3, "0")}${randomBytes(4).toString("hex")}`
}
