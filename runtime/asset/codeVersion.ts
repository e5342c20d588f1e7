import { createHash } from "node:crypto"

/** A short stable hash; used for code versions and data versions. */
export const shortHash = (...parts: ReadonlyArray<string>): string => {
  const h = createHash("sha256")
  for (const p of parts) h.update(p).update("\u0000")
  return h.digest("hex").slice(0, 16)
}

/** Whitespace-insensitive, so reformatting SQL or code is not a code change. */
export const codeVersionOf = (source: string): string => shortHash(source.replace(/\s+/g, " ").trim())
