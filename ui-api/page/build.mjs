// Builds the web page: its TypeScript (src/) bundled by esbuild with its libraries (dagre) into one module, beside
// its HTML and CSS, in dist/page/ of the package. Run by scripts/build.mjs (npm install's prepare), and by the
// server when it runs from a source checkout whose page changed since the last build (so a test never sees a stale page).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const files = ["index.html", "style.css"]

/** The newest modification time among the page's sources (0 when there are none: an installed package). */
const newestSource = (source) => {
  let newest = 0
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else newest = Math.max(newest, statSync(path).mtimeMs)
    }
  }
  if (existsSync(join(source, "src"))) walk(source)
  return newest
}

/** Whether the built page is missing or older than its sources. */
export const pageIsStale = (root) => {
  const built = join(root, "dist", "page", "app.js")
  const newest = newestSource(join(root, "ui-api", "page"))
  if (newest === 0) return false
  return !existsSync(built) || statSync(built).mtimeMs < newest
}

/** Writes a file whole or not at all: a server reading it meanwhile sees the old one or the new one. */
const put = (path, contents) => {
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, contents)
  renameSync(temp, path)
}

export const buildPage = async (root) => {
  const { build } = await import("esbuild")
  const source = join(root, "ui-api", "page")
  const out = join(root, "dist", "page")
  mkdirSync(out, { recursive: true })
  const result = await build({
    entryPoints: [join(source, "src", "main.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["chrome110", "firefox110", "safari16"],
    minify: true,
    write: false,
    logLevel: "warning",
    absWorkingDir: root
  })
  // the script first: the HTML that loads it comes last
  put(join(out, "app.js"), result.outputFiles[0].contents)
  for (const f of files) put(join(out, f), readFileSync(join(source, f)))
  return out
}
