import { execFileSync } from "node:child_process"
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import Database from "better-sqlite3"
import { Context, Effect, Layer, ManagedRuntime, Redacted, Stream } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import * as SqliteEventStore from "../../resources/event-store/SqliteEventStore.js"
import * as LocalLake from "../../resources/lake-fs/LocalLake.js"
import * as MysqlSakilaSource from "../../assets/mysql/MysqlSakilaSource.js"
import { EventStore } from "../../runtime/events/EventStore.js"
import type { Run } from "../../runtime/events/records.js"
import { mysqlProject } from "../support/mysqlProject.js"
import { adminConnection, createBigFilmDatabase, MYSQL_HOST, MYSQL_PORT, mysqlAvailability, type SakilaDatabase } from "../support/sakilaDatabase.js"
import { tempDir } from "../support/testProject.js"

/*
 * Failures that used to say only "Failed to execute statement", "ENOENT ... mkdir" or nothing for 30 s, each made
 * for real: a held SQLite lock, read-only and full file systems (tmpfs mounts, since root ignores permission bits),
 * and a MySQL connection killed by the server. Each message must say the cause and the fix.
 */

const run = (id: string): Run => ({
  id,
  kind: "materialize",
  selection: "x",
  status: "STARTED",
  host: "test",
  pid: process.pid,
  startedAt: new Date().toISOString(),
  endedAt: null,
  heartbeatAt: Date.now()
})

const messageOf = (e: unknown) => String((e as Error).message ?? e)

/** The store's failure, or the failure of opening it. */
const storeFailure = async (file: string, use: (s: EventStore["Type"]) => Effect.Effect<unknown, unknown>) =>
  messageOf(
    await Effect.runPromise(Effect.scoped(Effect.flip(Effect.flatMap(Layer.build(SqliteEventStore.layer(file)), (ctx) => use(Context.get(ctx, EventStore))))))
  )

const lakeFailure = (root: string, path: string, body: Uint8Array) => Effect.runPromise(Effect.flip(LocalLake.make(root).write(path, body))).then(messageOf)

// ---- file systems that refuse writes: real mounts, made and removed here ----

/** CAP_SYS_ADMIN (bit 21) in the effective set: the process may mount. */
const mayMount = (): boolean => {
  const line = readFileSync("/proc/self/status", "utf8").match(/^CapEff:\s*([0-9a-f]+)$/m)
  return line !== null && (BigInt(`0x${line[1]}`) & (1n << 21n)) !== 0n
}

const mounted: Array<string> = []
const mount = (dir: string, options: string) => {
  mkdirSync(dir, { recursive: true })
  execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { stdio: "pipe" })
  mounted.push(dir)
}
const remountReadOnly = (dir: string) => execFileSync("mount", ["-o", "remount,ro", dir], { stdio: "pipe" })
const unmountAll = () => {
  for (const dir of mounted.splice(0).reverse()) {
    try {
      execFileSync("umount", [dir], { stdio: "pipe" })
    } catch {
      execFileSync("umount", ["-l", dir], { stdio: "pipe" })
    }
  }
}

const mounts = (() => {
  const probe = tempDir("assets-mount-probe-")
  try {
    mount(probe, "size=16k")
    unmountAll()
    return { ok: true as const }
  } catch (e) {
    const said = (String((e as { stderr?: unknown }).stderr ?? "").trim() || messageOf(e)).split("\n")[0]
    const reason = `cannot mount a tmpfs here (${said}): read-only and full file systems need mount (root with CAP_SYS_ADMIN)`
    if (process.env["CI"] && mayMount()) throw new Error(`${reason}; CI is set and the process has CAP_SYS_ADMIN, so these tests must run`)
    console.warn(`skipping read-only and full file system tests: ${reason}`)
    return { ok: false as const }
  } finally {
    rmSync(probe, { recursive: true, force: true })
  }
})()

describe("errors that say the cause and the fix", () => {
  let dir: string
  beforeAll(() => {
    dir = tempDir("assets-errors-")
  })
  afterEach(unmountAll)
  afterAll(() => {
    unmountAll()
    rmSync(dir, { recursive: true, force: true })
  })

  it("a store write blocked by another process's write lock names the lock, the file and how to find the holder", async () => {
    const file = join(dir, "locked", "events.sqlite")
    const runtime = ManagedRuntime.make(SqliteEventStore.layer(file))
    await runtime.runPromise(Effect.flatMap(EventStore, (s) => s.startRun(run("r1"))))
    const holder = new Database(file)
    try {
      holder.exec("BEGIN EXCLUSIVE")
      // the store waits its busy timeout (5 s) for the lock, then gives up
      const message = messageOf(await runtime.runPromise(Effect.flip(Effect.flatMap(EventStore, (s) => s.startRun(run("r2"))))))
      expect(message).toBe(
        `event store: starting a run failed: another process holds the event store's write lock: ${file} (SQLITE_BUSY); wait for it to finish (a runner, a backfill worker, or a sqlite3 shell left inside a transaction), or find it with \`fuser ${file}\` and stop it, then try again`
      )
    } finally {
      holder.close()
      await runtime.dispose()
    }
  })

  describe.skipIf(!mounts.ok)("on real read-only and full file systems (tmpfs mounts)", () => {
    it("a lake on a read-only file system says so, not ENOENT of a folder it could not make", async () => {
      const ro = join(dir, "ro-lake")
      mount(ro, "ro,size=64k")
      const body = new TextEncoder().encode("a,b\n")
      // the lake folder itself, and a lake folder that does not exist yet below a read-only mount
      for (const root of [ro, join(ro, "lake")]) {
        const message = await lakeFailure(root, "landing/raw_film/data.csv", body)
        expect(message).toBe(
          `the lake at ${root} is on a read-only file system (EROFS) while writing landing/raw_film/data.csv: mount it writable, or set ASSETS_LAKE to a writable folder`
        )
        expect(message).not.toMatch(/ENOENT/)
      }
    })

    it("a lake whose file system became read-only after its folders were made says EROFS", async () => {
      const root = join(dir, "ro-later")
      mount(root, "size=256k")
      const lake = LocalLake.make(root)
      await Effect.runPromise(lake.write("landing/a.csv", new TextEncoder().encode("x\n")))
      remountReadOnly(root)
      const message = await lakeFailure(root, "landing/b.csv", new TextEncoder().encode("y\n"))
      expect(message).toBe(
        `the lake at ${root} is on a read-only file system (EROFS) while writing landing/b.csv: mount it writable, or set ASSETS_LAKE to a writable folder`
      )
    })

    it("a full lake says ENOSPC and what to do", async () => {
      const root = join(dir, "full-lake")
      mount(root, "size=64k")
      const lake = LocalLake.make(root)
      const body = new Uint8Array(16 * 1024).fill(65)
      let message: string | undefined
      for (let i = 0; i < 20 && message === undefined; i++) {
        message = await Effect.runPromise(Effect.flip(lake.write(`landing/part-${i}.csv`, body))).then(messageOf, () => undefined)
      }
      expect(message).toMatch(
        new RegExp(
          `^no space left on the device of the lake at ${root} \\(ENOSPC\\) while writing landing/part-\\d+\\.csv: free space on that disk, or set ASSETS_LAKE to a folder on one with room$`
        )
      )
    })

    it("an event store on a read-only file system says so, when it is opened and when it is written", async () => {
      const ro = join(dir, "ro-state")
      // a disk too small for the store to take its WAL back in on close, so the -wal and -shm files stay, as a store
      // left by a running process would (on a roomier disk the close removes them, and opening says SQLITE_CANTOPEN)
      mount(ro, "size=384k")
      const file = join(ro, "events.sqlite")
      expect(await storeFailure(file, (s) => Effect.zipRight(s.startRun(run("r1")), Effect.fail("written")))).toBe("written")
      remountReadOnly(ro)
      const fix = "mount it writable, or set ASSETS_STATE_DIR to a folder that can hold it"
      // SQLite reads the store it finds (its -wal and -shm files are there) and refuses the write
      expect(await storeFailure(file, (s) => s.startRun(run("r2")))).toBe(
        `event store: starting a run failed: the event store ${file} is on a read-only file system (SQLITE_READONLY, EROFS): ${fix}`
      )
      const fresh = join(ro, "fresh.sqlite")
      expect(await storeFailure(fresh, () => Effect.fail("opened"))).toBe(
        `event store: opening ${fresh} failed: the event store ${fresh} is on a read-only file system (SQLITE_CANTOPEN, EROFS): ${fix}`
      )
      // a state folder still to be made there: Node's mkdir says ENOENT, the message the real cause
      const missing = join(ro, "state", "events.sqlite")
      expect(await storeFailure(missing, () => Effect.fail("opened"))).toBe(
        `event store: opening ${missing} failed: the event store ${missing} is on a read-only file system (EROFS): ${fix}`
      )
    })

    it("a full event store says ENOSPC and what to do", async () => {
      const state = join(dir, "full-state")
      // room for a store with every migration run (0008 made it outgrow 256k), then filled
      mount(state, "size=512k")
      const file = join(state, "events.sqlite")
      const message = await storeFailure(file, (s) =>
        Effect.gen(function* () {
          // what the store does not need is taken by another file, then the store grows until it cannot
          try {
            writeFileSync(join(state, "filler"), new Uint8Array(512 * 1024))
          } catch {
            // the filler took every free block before failing: the disk is full
          }
          for (let i = 0; i < 1000; i++) yield* s.startRun({ ...run(`r${i}`), selection: "x".repeat(4000) })
        })
      )
      expect(message).toMatch(
        new RegExp(`^event store: starting a run failed: no space left on the device of the event store ${file} \\(SQLITE_FULL, ENOSPC\\): free space on that disk, or set ASSETS_STATE_DIR to a folder that can hold it$`)
      )
    })
  })
})

// ---- a MySQL connection killed by the server ----

const mysql = await mysqlAvailability()
// rows enough that the extraction is still streaming when it is killed
const BIG = 60_000

describe.skipIf(!mysql.ok)("a MySQL extraction whose connection the server kills", () => {
  let db: SakilaDatabase
  beforeAll(async () => {
    db = await createBigFilmDatabase("sakila_errors", BIG)
  })
  afterAll(async () => {
    await db?.drop()
  })

  it("the extraction stream fails on the connection's close, not after the stall timeout, saying the connection was lost", async () => {
    const killer = await adminConnection()
    try {
      let killedAt = 0
      const failure = await Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            // the default stall timeout (30 s): the message says whether the close or the stall failed it
            const source = yield* MysqlSakilaSource.make({ url: Redacted.make(db.url) })
            return yield* source.extract("film").pipe(
              Stream.tap(() =>
                killedAt > 0
                  ? Effect.void
                  : Effect.promise(async () => {
                      const [[row]] = (await killer.query(
                        "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'SELECT `film_id`%FROM `film`%'",
                        [db.name]
                      )) as unknown as [Array<{ id: number }>]
                      killedAt = Date.now()
                      await killer.query(`KILL CONNECTION ${Number(row!.id)}`)
                    })
              ),
              Stream.runDrain,
              Effect.flip
            )
          })
        )
      )
      // not asserted (issue 13 asks for 2 s): mysql2 sees the close only after reading the rows the kernel buffered
      // before it (megabytes on loopback), which took 0.3 to 0.6 s here, and 2 s on two cores shared with other tests
      console.log(`KILL to failed extraction stream: ${Date.now() - killedAt} ms`)
      expect(failure.message).toBe(
        `the connection to MySQL at ${MYSQL_HOST}:${MYSQL_PORT} was lost while extracting film (PROTOCOL_CONNECTION_LOST): Connection lost: The server closed the connection.; check the server's log (a restart, a KILL, or wait_timeout/max_execution_time)`
      )
      expect(failure.transient).toBe(true)
    } finally {
      await killer.end()
    }
  })

  it("in a run, each killed attempt fails on the connection's close (not the stall timeout), is retried, then the step says the connection was lost", async () => {
    // the default stall timeout (30 s): a message from the close, not the stall, shows which noticed
    const p = mysqlProject({ url: db.url })
    const killer = await adminConnection()
    const kills: Array<{ readonly id: number; readonly at: number }> = []
    let running = true
    const killing = (async () => {
      while (running) {
        const [rows] = (await killer.query(
          "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'SELECT `film_id`%FROM `film`%'",
          [db.name]
        )) as unknown as [Array<{ id: number }>]
        for (const { id } of rows) {
          if (kills.some((k) => k.id === id)) continue
          kills.push({ id, at: Date.now() })
          await killer.query(`KILL CONNECTION ${Number(id)}`).catch(() => undefined)
        }
        await new Promise((r) => setTimeout(r, 5))
      }
    })()
    try {
      const result = await p.materialize("raw_film")
      running = false
      await killing
      const outcome = result.outcomes.find((o) => o.task.id === "raw_film")!
      expect(outcome.state).toBe("failed")
      expect(outcome.message).toMatch(
        new RegExp(
          `the connection to MySQL at ${MYSQL_HOST}:${MYSQL_PORT} was lost while extracting film \\(PROTOCOL_CONNECTION_LOST\\): .*; check the server's log \\(a restart, a KILL, or wait_timeout/max_execution_time\\)`
        )
      )
      // the first attempt and three retries, each killed, each failing on the close
      expect(kills.length).toBe(4)
      expect(p.failures.length).toBe(4)
      for (const f of p.failures) expect(f.message).toMatch(/was lost while extracting film \(PROTOCOL_CONNECTION_LOST\)/)
      // not asserted, as above: here the run's writes slow the reading of the buffered rows (0.1 to 2.6 s seen)
      console.log(`KILL to failed attempt in a run: ${p.failures.map((f, i) => f.at - kills[i]!.at).join(", ")} ms`)
    } finally {
      running = false
      await killing
      await killer.end()
      await p.dispose()
    }
  })
})
