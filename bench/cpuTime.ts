/**
 * CPU time as Linux counts it (/proc), for the rows that say where a run's time went: the JavaScript thread of this
 * process, the processes it waited for, another process by name (the database), and the whole machine. Each reads
 * undefined where /proc is missing, and the rows say n/a.
 */
import { spawnSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"

/** clock ticks per second of the counters below (100 on Linux almost always; asked once) */
const ticksPerSecond = (() => {
  const asked = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" })
  const n = Number(asked.stdout?.trim())
  return Number.isFinite(n) && n > 0 ? n : 100
})()

const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, "utf8")
  } catch {
    return undefined
  }
}

/** the fields of a /proc stat line after the command's name (which may hold spaces), from field 3 on */
const statFields = (text: string) => text.slice(text.lastIndexOf(")") + 2).split(" ")
const ms = (ticks: number) => (ticks * 1000) / ticksPerSecond
/** a process's or thread's own CPU ms from its stat fields: user and system time (utime, stime) */
const usedMs = (f: ReadonlyArray<string>) => ms(Number(f[11]) + Number(f[12]))

/** CPU ms of this process's main thread, the one JavaScript runs on: a floor for anything it does one after another */
export const mainThreadMs = (): number | undefined => {
  const text = read(`/proc/self/task/${process.pid}/stat`)
  if (text === undefined) return undefined
  const f = statFields(text)
  return usedMs(f)
}

/** CPU ms of the child processes this one has waited for (ended ones only), all their threads */
export const childrenMs = (): number | undefined => {
  const text = read("/proc/self/stat")
  if (text === undefined) return undefined
  const f = statFields(text)
  return ms(Number(f[13]) + Number(f[14]))
}

/** CPU ms of the running processes named `name` (e.g. mariadbd), all their threads, summed; undefined when none runs */
export const processesMs = (name: string): number | undefined => {
  let pids: Array<string>
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p))
  } catch {
    return undefined
  }
  let total: number | undefined
  for (const pid of pids) {
    if (read(`/proc/${pid}/comm`)?.trim() !== name) continue
    const text = read(`/proc/${pid}/stat`)
    if (text === undefined) continue
    const f = statFields(text)
    total = (total ?? 0) + usedMs(f)
  }
  return total
}

/** the machine's busy and total CPU ms over all cores (idle and I/O wait are not busy) */
export const machineMs = (): { readonly busy: number; readonly total: number } | undefined => {
  const line = read("/proc/stat")?.split("\n")[0]
  if (line === undefined || !line.startsWith("cpu ")) return undefined
  const n = line.trim().split(/\s+/).slice(1).map(Number)
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0)
  const idle = n[3]! + n[4]!
  return { busy: ms(total - idle), total: ms(total) }
}

/**
 * CPU ms of a running process's main thread (where JavaScript runs) and of its other threads (libuv's, where DuckDB's
 * queries run; V8's), summed; undefined once it is ending. Read while it runs: an ended process has no threads left.
 */
export const threadsMs = (pid: number): { readonly main: number; readonly others: number } | undefined => {
  let tids: Array<string>
  try {
    tids = readdirSync(`/proc/${pid}/task`)
  } catch {
    return undefined
  }
  let main = 0
  let others = 0
  for (const tid of tids) {
    const text = read(`/proc/${pid}/task/${tid}/stat`)
    if (text === undefined) continue
    const f = statFields(text)
    // an exiting process's leader (a zombie) stands for all its threads, which are gone: no reading
    if (tid === String(pid) && (f[0] === "Z" || f[0] === "X")) return undefined
    if (tid === String(pid)) main += usedMs(f)
    else others += usedMs(f)
  }
  return { main, others }
}
