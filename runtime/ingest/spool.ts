import { randomBytes } from "node:crypto"
import { mkdir, open, readdir, readFile, unlink, type FileHandle } from "node:fs/promises"
import { join } from "node:path"

/**
 * The write-ahead spool of one source: a segment file per buffer, one line per batch, written and synced before
 * the batch is answered. A segment is removed once its records landed; a segment found at start (the server was
 * killed) lands again under the same object names, so landing twice writes the same objects.
 */

/** One batch as the spool holds it: its arrival (epoch ms), the lines it lands and the records it refused. */
export interface SpooledBatch {
  readonly at: number
  readonly ok: ReadonlyArray<string>
  readonly bad: ReadonlyArray<readonly [text: string, reason: string]>
}

export interface Segment {
  /** 16 hex digits, part of every object name it lands as */
  readonly id: string
  readonly file: string
  readonly handle: FileHandle
}

const SUFFIX = ".wal"

/** A new, empty segment, its folder entry synced so the file itself survives a crash. */
export const openSegment = async (dir: string, now: number): Promise<Segment> => {
  await mkdir(dir, { recursive: true })
  const id = randomBytes(8).toString("hex")
  const file = join(dir, `${String(now).padStart(15, "0")}-${id}${SUFFIX}`)
  const handle = await open(file, "a")
  await syncDir(dir)
  return { id, file, handle }
}

/** Appends a batch and waits for the disk: after this, a killed process loses nothing of it. */
export const append = async (segment: Segment, batch: SpooledBatch): Promise<void> => {
  await segment.handle.write(`${JSON.stringify(batch)}\n`)
  await segment.handle.datasync()
}

export const close = (segment: Segment) => segment.handle.close().catch(() => undefined)

export const remove = (file: string) => unlink(file).catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : Promise.reject(e)))

/** The segments a previous process left, oldest first, with their batches (a torn last line, never answered, is skipped). */
export const leftover = async (dir: string): Promise<ReadonlyArray<{ readonly id: string; readonly file: string; readonly batches: ReadonlyArray<SpooledBatch> }>> => {
  let names: Array<string>
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(SUFFIX)).sort()
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return []
    throw e
  }
  const out = []
  for (const name of names) {
    const file = join(dir, name)
    const batches: Array<SpooledBatch> = []
    for (const line of (await readFile(file, "utf8")).split("\n")) {
      if (line === "") continue
      try {
        batches.push(JSON.parse(line) as SpooledBatch)
      } catch {
        // a write cut short by the crash: that batch was never answered, so its sender sends it again
      }
    }
    out.push({ id: name.slice(-SUFFIX.length - 16, -SUFFIX.length), file, batches })
  }
  return out
}

const syncDir = async (dir: string) => {
  const handle = await open(dir, "r")
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
