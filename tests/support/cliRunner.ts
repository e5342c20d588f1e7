import { spawnSync } from "node:child_process"
import { resolve } from "node:path"
import { expect } from "vitest"

/**
 * The built `assets` command run against one project, with settings of its own: `cli` returns the process's result,
 * `ok` expects exit 0 (the failure shows what it printed) and returns stdout, `json` reads the JSON a command printed.
 */
export const cliRunner = (env: (extra: Record<string, string>) => NodeJS.ProcessEnv) => {
  const bin = resolve("bin/assets.js")
  const cli = (args: ReadonlyArray<string>, extra: Record<string, string> = {}) => spawnSync(process.execPath, [bin, ...args], { env: env(extra), encoding: "utf8" })
  const ok = (args: ReadonlyArray<string>, extra: Record<string, string> = {}) => {
    const r = cli(args, extra)
    expect(r.status, `assets ${args.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0)
    return r.stdout
  }
  return { cli, ok }
}

export const printedJson = (out: string) => JSON.parse(out.slice(out.search(/[[{]/)))
