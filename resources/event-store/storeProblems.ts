import { dirname } from "node:path"
import { codeOf, diskRefusal } from "../fs/diskRefusal.js"

const FIX = "or set ASSETS_STATE_DIR to a folder that can hold it"

/**
 * What a store failure on the SQLite file `file` means and what to do, when its cause says (a lock, a full disk, a
 * read-only file or file system); undefined for anything else (a constraint, a decoding error, ...).
 */
export const storeProblem = (file: string, cause: unknown): string | undefined => {
  const code = codeOf(cause) ?? ""
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return `another process holds the event store's write lock: ${file} (${code}); wait for it to finish (a runner, a backfill worker, or a sqlite3 shell left inside a transaction), or find it with \`fuser ${file}\` and stop it, then try again`
  }
  const refused =
    code === "SQLITE_FULL" || code === "ENOSPC" || code === "EDQUOT"
      ? "ENOSPC"
      : code === "EROFS" || code === "EACCES" || code === "EPERM"
        ? code
        : code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_IOERR") || code === "ENOENT"
          ? (diskRefusal(file) ?? diskRefusal(dirname(file)))
          : undefined
  // ENOENT was only Node hiding the real errno of a folder it could not make
  const as = code === refused || code === "ENOENT" ? refused : `${code}, ${refused}`
  switch (refused) {
    case "ENOSPC":
      return `no space left on the device of the event store ${file} (${as}): free space on that disk, ${FIX}`
    case "EROFS":
      return `the event store ${file} is on a read-only file system (${as}): mount it writable, ${FIX}`
    case "EACCES":
    case "EPERM":
      return `this process may not write the event store ${file} or its folder (${as}; SQLite writes the -wal and -shm files beside it): give its user write access there, ${FIX}`
  }
  if (code.startsWith("SQLITE_READONLY")) {
    return `the event store ${file} is read-only (${code}): it was opened read-only, or the file or its folder is not writable (SQLite writes the -wal and -shm files beside it); fix that, ${FIX}`
  }
  return undefined
}
