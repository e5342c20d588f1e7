import { rmSync } from "node:fs"

// Folders are removed when the bench ends, not between its runs: ext4 passes over recently freed inodes when it
// creates a file (find_inode_bit / recently_deleted, seen with perf), so removing a run's thousands of files made the
// next run's files cost 0.2-0.8 ms each instead of about 30 µs, a run's own cost misread as the framework's
// (bench/backfill.ts's first row measures it).
const leftFolders: Array<string> = []
process.on("exit", () => {
  for (const dir of leftFolders) rmSync(dir, { recursive: true, force: true })
})

/** removes `dir` when the process exits */
export const removeLater = (dir: string) => void leftFolders.push(dir)
