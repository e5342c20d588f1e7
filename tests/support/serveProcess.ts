import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process"
import { resolve } from "node:path"

const bin = resolve(import.meta.dirname, "..", "..", "bin", "assets.js")

/** `assets <args>` (e.g. `serve --port 0`) in a child process, with the URL it serves on once it says so. */
export const startServe = async (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, cwd = process.cwd()) => {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: "pipe" })
  let out = ""
  child.stdout.on("data", (d: Buffer) => (out += d.toString()))
  child.stderr.on("data", (d: Buffer) => (out += d.toString()))
  const url = await new Promise<string>((done, fail) => {
    const onData = () => {
      const m = /on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)
      if (m) done(m[1]!)
    }
    child.stdout.on("data", onData)
    child.once("exit", (code) => fail(new Error(`assets ${args.join(" ")} exited with ${code}:\n${out}`)))
  })
  child.removeAllListeners("exit")
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)))
  return {
    child,
    url,
    output: () => out,
    exited,
    /** SIGKILL unless it already ended */
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    }
  }
}
