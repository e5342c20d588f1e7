import { accessSync, constants, existsSync, statfsSync } from "node:fs"
import { dirname } from "node:path"

/** The code under a failure: a wrapper's `cause` chain down to an errno (`EROFS`) or a driver's code (`SQLITE_BUSY`). */
export const codeOf = (cause: unknown): string | undefined => {
  let e = cause
  for (let depth = 0; depth < 5 && typeof e === "object" && e !== null; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === "string") return code
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

/** The nearest folder that exists at or above `path`: where a missing file or folder would have been created. */
const nearestExisting = (path: string): string => {
  let at = path
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at)
  return at
}

/**
 * Why the file system refuses writes at `path`: read-only (EROFS), not permitted (EACCES) or full (ENOSPC), asked
 * of the file system itself when an error does not say (SQLite reports a read-only file system as
 * SQLITE_CANTOPEN; Node's recursive mkdir reports any failure to create a folder as ENOENT). Changes nothing.
 */
export const diskRefusal = (path: string): string | undefined => {
  const at = nearestExisting(path)
  try {
    accessSync(at, constants.W_OK)
  } catch (e) {
    return codeOf(e)
  }
  try {
    const fs = statfsSync(at)
    return fs.bavail === 0 || fs.ffree === 0 ? "ENOSPC" : undefined
  } catch {
    return undefined
  }
}
