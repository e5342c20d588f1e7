/**
 * The guide (docs/*.md) runs: every fenced code block of every page is written, run or compared, so a page that
 * no longer matches the framework fails here. The convention, for guide writers (also in docs/README.md):
 *
 * - Each page runs in a fresh project folder of its own, outside the repository, its blocks in order.
 *   `<!-- guide: starts from project.md -->` first writes the files that page's blocks write.
 * - A block whose info string has `file=<path>` (any language), or a ```ts block whose first line is
 *   `// file: <path>`, is written to that path of the folder (a later block for the same path replaces it).
 *   Every ts file written is also type-checked, against the framework's source, in one `tsc` run.
 * - ```ts without a file line: compiled by esbuild (syntax only).
 * - ```sh: run by bash, line by line (a line ending in `\` continues), in the folder, with `assets` meaning
 *   `node <repo>/bin/assets.js` (a copy of it and of dist/cli taken when the test starts) and ASSETS_LAKE /
 *   ASSETS_STATE_DIR inside the folder. Each line must exit 0, or N when its comment says `exits N`. Exported
 *   variables and the working directory carry to the page's next sh blocks. A line running `assets serve` starts it in the background on a free port (`--port` becomes 0) and
 *   waits until it listens; it stops when the next one starts and when the page ends.
 * - ```http: requests (`###` between two) sent to that server: `METHOD /path`, headers, a blank line, a body.
 *   The answer must be 2xx, or the status a comment line starts with (`# 401 ...`).
 * - ```json right after an http block: the last answer must have its shape: every key it shows, arrays' first
 *   element, the type of each number and boolean, and each string equal once ids, versions and times are masked.
 * - ```text right after an sh block: what that block printed. Each line must appear in the output, with ids,
 *   versions, times, durations and ports masked and runs of spaces collapsed; `…` stands for anything.
 * - Any other language fails the test: teach it here first.
 * - GUIDE_VERBOSE=1 prints what each sh block printed (to write a text block from).
 * - `<!-- guide: mysql database NAME -->`: the page uses the MariaDB on 127.0.0.1:3306 (root, no password) and
 *   creates database NAME; the test drops it before and after, one run at a time. Without MariaDB the page is
 *   skipped with the reason (a failure when CI is set), like the other MySQL tests.
 */
import { spawn, spawnSync } from "node:child_process"
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { request } from "node:http"
import { tmpdir } from "node:os"
import { dirname, isAbsolute, join, normalize, resolve } from "node:path"
import { transform } from "esbuild"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminConnection, mysqlAvailability } from "./support/sakilaDatabase.js"

const repo = resolve(import.meta.dirname, "..")
const docs = join(repo, "docs")

interface Block {
  readonly lang: string
  /** where a file block is written, relative to the page's folder */
  readonly file: string | undefined
  readonly code: string
  /** line of the opening fence, 1-based */
  readonly line: number
}

interface Page {
  readonly name: string
  readonly blocks: ReadonlyArray<Block>
  readonly startsFrom: string | undefined
  readonly databases: ReadonlyArray<string>
}

const tsLangs = new Set(["ts", "typescript"])
const shLangs = new Set(["sh", "bash", "shell"])

const parsePage = (name: string, text: string): Page => {
  const lines = text.split("\n")
  const blocks: Array<Block> = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*([\w-]*)(.*)$/.exec(lines[i]!)
    if (open === null) continue
    const fence = open[1]!
    const start = i
    const body: Array<string> = []
    for (i++; i < lines.length && !new RegExp(`^${fence}\\s*$`).test(lines[i]!); i++) body.push(lines[i]!)
    if (i >= lines.length) throw new Error(`${name}:${start + 1}: this code block is never closed`)
    const lang = open[2]!.toLowerCase()
    const fileLine = tsLangs.has(lang) ? /^\/\/ file: (\S+)\s*$/.exec(body[0] ?? "")?.[1] : undefined
    const file = /\bfile=(\S+)/.exec(open[3]!)?.[1] ?? fileLine
    if (file !== undefined && (isAbsolute(file) || normalize(file).startsWith(".."))) {
      throw new Error(`${name}:${start + 1}: ${file} is outside the project folder`)
    }
    blocks.push({ lang, file, code: `${body.join("\n")}\n`, line: start + 1 })
  }
  return {
    name,
    blocks,
    startsFrom: /<!--\s*guide: starts from (\S+?)\s*-->/.exec(text)?.[1],
    databases: [...text.matchAll(/<!--\s*guide: mysql database (\w+)\s*-->/g)].map((m) => m[1]!)
  }
}

const pages: ReadonlyArray<Page> = readdirSync(docs)
  .filter((f) => f.endsWith(".md"))
  .sort()
  .map((f) => parsePage(f, readFileSync(join(docs, f), "utf8")))
const pageNamed = (name: string) => {
  const page = pages.find((p) => p.name === name)
  if (page === undefined) throw new Error(`no page docs/${name}`)
  return page
}

/** The files a page's folder holds once its file blocks are written, those of the page it starts from first. */
const filesOf = (page: Page, seen: ReadonlyArray<string> = []): Map<string, string> => {
  if (seen.includes(page.name)) throw new Error(`pages start from each other in a circle: ${[...seen, page.name].join(" -> ")}`)
  const files = page.startsFrom === undefined ? new Map<string, string>() : filesOf(pageNamed(page.startsFrom), [...seen, page.name])
  for (const b of page.blocks) if (b.file !== undefined) files.set(b.file, b.code)
  return files
}

const writeInto = (dir: string, path: string, content: string) => {
  const target = join(dir, path)
  mkdirSync(dirname(target), { recursive: true })
  writeFileSync(target, content)
}

// ---- output comparison -------------------------------------------------------------------------------------

/** What changes from run to run, masked: ids, versions (16 hex), times, durations, ports; spaces collapsed. */
const mask = (s: string) =>
  s
    .replace(/\b[a-z]0[0-9a-z]{19}\b/g, "<id>")
    .replace(/\b[0-9a-f]{16}\b/g, "<version>")
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<time>")
    .replace(/\b\d+(\.\d+)?m?s\b/g, "<duration>")
    .replace(/(127\.0\.0\.1|localhost):\d+/g, "$1:<port>")
    .replace(/\s+/g, " ")
    .trim()

/** Each line of `expected` appears in `output` (masked); `…` in a line stands for anything. */
const outputProblems = (expected: string, output: string): Array<string> => {
  const actual = mask(output)
  const problems: Array<string> = []
  for (const line of expected.split("\n").filter((l) => l.trim() !== "" && l.trim() !== "…")) {
    let from = 0
    for (const part of line.split("…").map(mask).filter((p) => p !== "")) {
      const at = actual.indexOf(part, from)
      if (at < 0) {
        problems.push(`not in the output: ${line.trim()}`)
        break
      }
      from = at + part.length
    }
  }
  return problems
}

/** Whether `actual` has the shape `expected` shows (see the header); the differences, by path. */
const shapeProblems = (expected: unknown, actual: unknown, path = "$"): Array<string> => {
  if (expected === null) return []
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${JSON.stringify(actual)?.slice(0, 80)}`]
    if (expected.length === 0) return []
    if (actual.length === 0) return [`${path}: expected elements, got an empty array`]
    return shapeProblems(expected[0], actual[0], `${path}[0]`)
  }
  if (typeof expected === "object") {
    if (typeof actual !== "object" || actual === null || Array.isArray(actual)) return [`${path}: expected an object, got ${JSON.stringify(actual)?.slice(0, 80)}`]
    return Object.entries(expected as Record<string, unknown>).flatMap(([k, v]) =>
      k in actual ? shapeProblems(v, (actual as Record<string, unknown>)[k], `${path}.${k}`) : [`${path}: no key ${k}`]
    )
  }
  if (typeof expected === "string") {
    return typeof actual === "string" && mask(actual) === mask(expected) ? [] : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`]
  }
  return typeof actual === typeof expected ? [] : [`${path}: expected a ${typeof expected}, got ${JSON.stringify(actual)}`]
}

// ---- running blocks ----------------------------------------------------------------------------------------

let root = ""
let binDir = ""

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`

/** Lines joined where one ends in a backslash, each with the line number it starts on in the page. */
const logicalLines = (block: Block): Array<{ text: string; line: number }> => {
  const out: Array<{ text: string; line: number }> = []
  let pending: { text: string; line: number } | undefined
  block.code.split("\n").forEach((raw, i) => {
    const current = pending ?? { text: "", line: block.line + 1 + i }
    const continued = raw.endsWith("\\")
    current.text += continued ? `${raw.slice(0, -1)} ` : raw
    if (continued) pending = current
    else {
      out.push(current)
      pending = undefined
    }
  })
  if (pending !== undefined) out.push(pending)
  return out
}

/** `assets serve ...` as a background job on a free port, after stopping the page's previous server. */
const serveScript = (command: string, state: string) => {
  const withoutComment = command.replace(/\s+#.*$/, "")
  const cmd = /--port[ =]\d+/.test(withoutComment) ? withoutComment.replace(/--port[ =]\d+/, "--port 0") : `${withoutComment} --port 0`
  const pid = quote(join(state, "serve.pid"))
  const log = quote(join(state, "serve.log"))
  return [
    `if [ -f ${pid} ]; then kill "$(cat ${pid})" 2>/dev/null; for _ in $(seq 100); do kill -0 "$(cat ${pid})" 2>/dev/null || break; sleep 0.1; done; fi`,
    // the previous server may still write while it stops: its log keeps its own file
    `if [ -f ${log} ]; then mv ${log} ${log}.$(cat ${pid}); fi`,
    `${cmd} > ${log} 2>&1 < /dev/null &`,
    `echo $! > ${pid}; echo $! >> ${quote(join(state, "servers"))}`,
    `for _ in $(seq 300); do grep -q 'Serving the asset graph on' ${log} && break; kill -0 "$(cat ${pid})" 2>/dev/null || break; sleep 0.1; done`,
    `grep 'Serving the asset graph on' ${log} || { kill -0 "$(cat ${pid})" 2>/dev/null || { wait "$(cat ${pid})"; echo "assets serve exited $?" >&2; }; cat ${log} >&2; false; }`
  ].join("\n")
}

const shellScript = (page: Page, block: Block, state: string) => {
  const env = quote(join(state, "env"))
  const cwd = quote(join(state, "cwd"))
  const out = [`cd "$(cat ${cwd})" || exit 98`, `if [ -f ${env} ]; then . ${env}; fi`]
  for (const { text, line } of logicalLines(block)) {
    if (/^\s*(#.*)?$/.test(text)) continue
    const expected = Number(/#.*\bexits (\d+)\b/.exec(text)?.[1] ?? 0)
    out.push(`printf '%s\\n' ${quote(`$ ${text}`)}`)
    out.push(/^\s*(\w+=\S*\s+)*assets serve\b/.test(text) ? serveScript(text, state) : text)
    out.push(
      `__rc=$?; if [ "$__rc" != ${expected} ]; then printf '%s\\n' "${page.name}:${line}: exited $__rc, expected ${expected}" >&2; exit 97; fi`
    )
  }
  out.push(`export -p > ${env}`, `pwd > ${cwd}`)
  return out.join("\n")
}

const runShell = (script: string, env: NodeJS.ProcessEnv, timeoutMs: number) =>
  new Promise<{ code: number | null; output: string }>((done) => {
    const child = spawn("bash", ["-c", script], { env, stdio: ["ignore", "pipe", "pipe"], detached: true })
    let output = ""
    child.stdout.on("data", (d: Buffer) => (output += d.toString()))
    child.stderr.on("data", (d: Buffer) => (output += d.toString()))
    const timer = setTimeout(() => {
      output += `\n(timed out after ${timeoutMs / 1000} s)`
      try {
        process.kill(-child.pid!, "SIGKILL")
      } catch {}
    }, timeoutMs)
    child.once("close", (code) => {
      clearTimeout(timer)
      done({ code, output })
    })
  })

interface HttpRequest {
  readonly method: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly body: string | undefined
  readonly expected: number | undefined
}

const parseRequests = (block: Block): Array<HttpRequest> =>
  block.code
    .split(/^###.*$/m)
    .map((part) => part.split("\n"))
    .filter((lines) => lines.some((l) => /^[A-Z]+ \//.test(l)))
    .map((lines) => {
      const expected = lines.map((l) => /^#\s*(\d{3})\b/.exec(l)?.[1]).find((s) => s !== undefined)
      const rest = lines.filter((l) => !/^\s*(#|\/\/)/.test(l))
      while (rest[0]?.trim() === "") rest.shift()
      const [method, path] = rest.shift()!.trim().split(/\s+/)
      const headers: Record<string, string> = {}
      while (rest.length > 0 && rest[0]!.trim() !== "") {
        const h = rest.shift()!
        headers[h.slice(0, h.indexOf(":")).trim()] = h.slice(h.indexOf(":") + 1).trim()
      }
      const body = rest.join("\n").trim()
      return { method: method!, path: path!, headers, body: body === "" ? undefined : body, expected: expected === undefined ? undefined : Number(expected) }
    })

const send = (base: string, req: HttpRequest) =>
  new Promise<{ status: number; body: string }>((done, fail) => {
    const r = request(new URL(req.path, base), { method: req.method, headers: req.headers, timeout: 30_000 }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (c: string) => (body += c))
      res.on("end", () => done({ status: res.statusCode ?? 0, body }))
    })
    r.on("timeout", () => r.destroy(new Error(`${req.method} ${req.path}: no answer in 30 s`)))
    r.on("error", fail)
    r.end(req.body)
  })

const stopServers = async (state: string) => {
  const file = join(state, "servers")
  if (!existsSync(file)) return
  for (const pid of readFileSync(file, "utf8").split("\n").filter(Boolean).map(Number)) {
    const alive = () => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    }
    if (!alive()) continue
    process.kill(pid, "SIGTERM")
    for (let i = 0; i < 60 && alive(); i++) await new Promise((r) => setTimeout(r, 100))
    if (alive()) process.kill(pid, "SIGKILL")
  }
}

/** Runs a page's blocks in order in a fresh folder; throws with the page, line and output of the first failure. */
const runPage = async (page: Page) => {
  const dir = join(root, page.name.replace(/\.md$/, ""))
  const state = `${dir}.state`
  mkdirSync(dir)
  mkdirSync(state)
  writeFileSync(join(state, "cwd"), dir)
  if (page.startsFrom !== undefined) for (const [path, content] of filesOf(pageNamed(page.startsFrom))) writeInto(dir, path, content)
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ASSETS_") && !k.startsWith("SAKILA_"))),
    PATH: `${binDir}:${process.env["PATH"] ?? ""}`,
    ASSETS_LAKE: join(dir, "lake"),
    ASSETS_STATE_DIR: join(dir, ".assets"),
    NO_COLOR: "1"
  }
  let previous: { block: Block; output?: string; answer?: string } | undefined
  try {
    for (const block of page.blocks) {
      const where = `docs/${page.name}:${block.line}`
      if (block.file !== undefined) {
        writeInto(dir, block.file, block.code)
      } else if (tsLangs.has(block.lang)) {
        await transform(block.code, { loader: "ts", sourcefile: where }).catch((e: Error) => {
          throw new Error(`${where}: this ts block does not compile: ${e.message}`)
        })
      } else if (shLangs.has(block.lang)) {
        const { code, output } = await runShell(shellScript(page, block, state), env, 90_000)
        if (process.env["GUIDE_VERBOSE"]) console.log(`--- ${where}\n${output}`)
        if (code !== 0) throw new Error(`${where}: the sh block failed (bash exit ${code}):\n${output.slice(-4000)}`)
        previous = { block, output }
        continue
      } else if (block.lang === "http") {
        const log = existsSync(join(state, "serve.log")) ? readFileSync(join(state, "serve.log"), "utf8") : ""
        const base = /Serving the asset graph on (http:\/\/[^/\s]+)\//.exec(log)?.[1]
        if (base === undefined) throw new Error(`${where}: an http block needs \`assets serve\` in an sh block before it`)
        let answer = ""
        for (const req of parseRequests(block)) {
          const res = await send(base, req)
          const ok = req.expected === undefined ? res.status >= 200 && res.status < 300 : res.status === req.expected
          if (!ok) throw new Error(`${where}: ${req.method} ${req.path} answered ${res.status}, expected ${req.expected ?? "2xx"}: ${res.body.slice(0, 1000)}`)
          answer = res.body
        }
        previous = { block, answer }
        continue
      } else if (block.lang === "json") {
        if (previous?.answer === undefined) throw new Error(`${where}: a json block must follow an http block (or name a file=)`)
        const problems = shapeProblems(JSON.parse(block.code), JSON.parse(previous.answer))
        if (problems.length > 0) throw new Error(`${where}: the answer is not shaped as shown:\n${problems.join("\n")}\nanswer: ${previous.answer.slice(0, 2000)}`)
      } else if (block.lang === "text") {
        if (previous?.output === undefined) throw new Error(`${where}: a text block must follow an sh block (it is that block's output)`)
        const problems = outputProblems(block.code, previous.output)
        if (problems.length > 0) throw new Error(`${where}: the output differs:\n${problems.join("\n")}\noutput:\n${previous.output.slice(-4000)}`)
      } else {
        throw new Error(`${where}: tests/guide.test.ts does not check \`\`\`${block.lang || "(no language)"} blocks: use one it checks, or teach it`)
      }
      previous = { block }
    }
  } finally {
    await stopServers(state)
  }
}

// ---- the tests ---------------------------------------------------------------------------------------------

const needsMysql = pages.some((p) => p.databases.length > 0)
const mysql = needsMysql ? await mysqlAvailability() : { ok: true as const }

/**
 * The built command, copied into a package folder of its own (its bin, dist/cli, and links to the repository's
 * node_modules, ui-api and package.json): a rebuild of dist/ while the guide runs does not pull files from under it.
 */
const copyCommand = (into: string) => {
  for (let attempt = 0; ; attempt++) {
    rmSync(into, { recursive: true, force: true })
    try {
      cpSync(join(repo, "dist", "cli"), join(into, "dist", "cli"), { recursive: true })
      if (existsSync(join(into, "dist", "cli", "main.js")) && existsSync(join(into, "dist", "cli", "shared-exports.json"))) break
    } catch {
      // being rebuilt: try again
    }
    if (attempt === 30) throw new Error("dist/cli is missing or incomplete: run node scripts/build.mjs")
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000)
  }
  mkdirSync(join(into, "bin"))
  copyFileSync(join(repo, "bin", "assets.js"), join(into, "bin", "assets.js"))
  for (const name of ["node_modules", "ui-api", "package.json"]) symlinkSync(join(repo, name), join(into, name))
  return join(into, "bin", "assets.js")
}

beforeAll(() => {
  // the command is built by npm test before vitest; build it when it is missing
  if (!existsSync(join(repo, "dist", "cli", "main.js"))) {
    const built = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: repo, stdio: "inherit" })
    if (built.status !== 0) throw new Error("node scripts/build.mjs failed")
  }
  root = mkdtempSync(join(tmpdir(), "assets-guide-"))
  const command = copyCommand(join(root, "sakila-assets"))
  binDir = join(root, "bin")
  mkdirSync(binDir)
  writeFileSync(join(binDir, "assets"), `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(command)} "$@"\n`)
  chmodSync(join(binDir, "assets"), 0o755)
})

afterAll(async () => {
  if (root === "") return
  // servers of a page whose test timed out before its own cleanup
  for (const entry of readdirSync(root)) if (entry.endsWith(".state")) await stopServers(join(root, entry))
  rmSync(root, { recursive: true, force: true })
})

describe("the guide (docs/*.md)", () => {
  it("has its pages, each short, with blocks", () => {
    expect(pages.map((p) => p.name)).toEqual(
      expect.arrayContaining(["README.md", "concepts.md", "project.md", "cli.md", "http-api.md", "resources.md", "scale.md"])
    )
    for (const p of pages) {
      expect(readFileSync(join(docs, p.name), "utf8").split("\n").length, p.name).toBeLessThan(200)
      expect(p.blocks.length, p.name).toBeGreaterThan(0)
    }
  })

  for (const page of pages) {
    it.concurrent(`docs/${page.name} runs`, { timeout: 180_000 }, async ({ skip }) => {
      if (page.databases.length === 0) return runPage(page)
      if (!mysql.ok) return skip(mysql.reason)
      // one guide run at a time uses the page's databases: they have fixed names
      const lock = await adminConnection()
      try {
        await lock.query("SELECT GET_LOCK(?, 300)", [`sakila_assets_guide_${page.name}`])
        const drop = () => Promise.all(page.databases.map((d) => lock.query(`DROP DATABASE IF EXISTS \`${d}\``)))
        await drop()
        try {
          await runPage(page)
        } finally {
          await drop()
        }
      } finally {
        await lock.end()
      }
    })
  }

  it.concurrent("the ts files the pages write type-check", { timeout: 180_000 }, async ({ expect }) => {
    const dir = join(root, "typecheck")
    mkdirSync(dir)
    // every version of every file: each ts file block gives a snapshot of its page's files at that point
    for (const page of pages) {
      const files = page.startsFrom === undefined ? new Map<string, string>() : filesOf(pageNamed(page.startsFrom))
      for (const b of page.blocks) {
        if (b.file === undefined) continue
        files.set(b.file, b.code)
        if (!tsLangs.has(b.lang)) continue
        // named after the block: an error reads `cli.md@12/assets.config.ts(3,5): ...`
        for (const [path, content] of files) if (path.endsWith(".ts")) writeInto(join(dir, `${page.name}@${b.line}`), path, content)
      }
    }
    // resolved as in a project that installed the package: its exports, with the condition that means the source
    const modules = join(repo, "node_modules")
    mkdirSync(join(dir, "node_modules"))
    for (const name of ["effect", "@effect", "@types"]) symlinkSync(join(modules, name), join(dir, "node_modules", name))
    symlinkSync(repo, join(dir, "node_modules", "sakila-assets"))
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }))
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          customConditions: ["sakila-assets-source"],
          lib: ["ES2022"],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ["node"]
        },
        include: ["*/**/*.ts"],
        exclude: ["node_modules"]
      })
    )
    const tsc = await new Promise<{ code: number | null; output: string }>((done) => {
      const child = spawn(process.execPath, [join(modules, "typescript", "bin", "tsc"), "-p", dir, "--pretty", "false"], { cwd: dir })
      let output = ""
      child.stdout.on("data", (d: Buffer) => (output += d.toString()))
      child.stderr.on("data", (d: Buffer) => (output += d.toString()))
      child.once("close", (code) => done({ code, output }))
    })
    // errors in the framework's own files (paths leaving this folder) are the repository's `tsc --noEmit`'s to report
    const mine = tsc.output.split("\n").filter((l) => l.includes("error TS") && !l.startsWith("../") && !l.startsWith("/"))
    expect(mine, tsc.output.slice(0, 4000)).toEqual([])
  })
})
