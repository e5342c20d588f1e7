import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"

/** Lands tick lines for the synthetic chain straight into a project folder's lake, as a partner would. */
export const writeTicks = (dir: string, months: ReadonlyArray<string>, lines: ReadonlyArray<string>, name = "t.jsonl") => {
  for (const m of months) {
    mkdirSync(join(dir, "lake", "landing", "ticks", m), { recursive: true })
    writeFileSync(join(dir, "lake", "landing", "ticks", m, name), lines.join("\n") + "\n")
  }
}
