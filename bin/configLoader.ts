import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs"
import { dirname, join, relative, resolve, sep } from "node:path"
import { pathToFileURL } from "node:url"
import type * as Esbuild from "esbuild"
import { importModule } from "../runtime/importModule.js"
import { SHARED, type SharedModules } from "./sharedModules.js"

/** `effect`, `effect/X`, `@effect/pkg[/X]` and `sakila-assets[/entry]`: what the command shares with the config. */
const sharedSpecifier = /^(effect|@effect\/[^/]+|sakila-assets)(\/[^/]+)?$/
const bare = /^[^./]/
/** The framework's own source and build folders: a configuration reaches them by the package's name only. */
const frameworkFolders = ["runtime", "resources", "ui-api", "entries", "dist", "bin"]

/** What each shared module exports, listed by the build (scripts/build.mjs) beside the bundle. */
let exportNames: Record<string, ReadonlyArray<string>> | undefined
const exportsOf = () => (exportNames ??= JSON.parse(readFileSync(new URL("./shared-exports.json", import.meta.url), "utf8")) as Record<string, ReadonlyArray<string>>)

const loaderOf = (path: string) => (/\.[cm]?tsx?$/.test(path) ? (path.endsWith("x") ? "tsx" : "ts") : path.endsWith("x") ? "jsx" : "js")

const isIdentifierName = (s: string) => /^[A-Za-z_$][\w$]*$/.test(s)

/**
 * Compiles a project's configuration (TypeScript or JavaScript, with the files it imports) into one ES module
 * whose imports of the shared modules read the running command's own, and imports it. Other packages stay
 * imports, resolved from the project's node_modules as usual. The compiled file lives in the project's
 * node_modules/.cache, named by its content, so an unchanged configuration is written once.
 */
export const importConfig = async (file: string, packageRoot: string): Promise<unknown> => {
  const cacheRoot = join(dirname(file), "node_modules", ".cache", "sakila-assets")
  const manifestFile = join(cacheRoot, `${createHash("sha256").update(file).digest("hex").slice(0, 16)}.json`)
  const fresh = freshCompiled(manifestFile)
  if (fresh !== undefined) return importModule(pathToFileURL(join(moduleScope(fresh), "config.js")).href)
  const shared = (globalThis as Record<symbol, unknown>)[SHARED] as SharedModules
  const { build } = (await importModule("esbuild")) as typeof Esbuild
  const framework = frameworkFolders.map((f) => join(packageRoot, f) + sep)
  const result = await build({
    entryPoints: { config: file },
    bundle: true,
    // a dynamic import in the configuration (an adapter only some settings need) stays one, in a chunk of its own
    splitting: true,
    outdir: "/compiled",
    chunkNames: "[name]-[hash]",
    write: false,
    metafile: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "inline",
    logLevel: "silent",
    plugins: [
      {
        name: "shared-modules",
        setup(b) {
          b.onResolve({ filter: sharedSpecifier }, (args) => {
            // side-effect free, so the compiled configuration keeps only the modules it uses
            if (shared.modules.has(args.path) || args.path in shared.barrels) return { path: args.path, namespace: "shared", sideEffects: false }
            if (args.path.startsWith("sakila-assets") || args.path.startsWith("effect")) {
              const family = args.path.split("/")[0]!
              return { errors: [{ text: `'${args.path}' is not a module the assets command provides: import from ${[...shared.modules.keys()].filter((k) => k.startsWith(family)).slice(0, 12).join(", ")}, ...` }] }
            }
            // another @effect package: compiled in, so that its own imports of effect are the shared ones
            return undefined
          })
          b.onResolve({ filter: bare }, (args) => (args.path.startsWith("node:") ? { external: true } : { path: args.path, external: true }))
          b.onResolve({ filter: /^[./]/ }, (args) => {
            const target = resolve(args.resolveDir, args.path)
            if (framework.some((f) => target.startsWith(f)) && !args.resolveDir.includes(`${sep}node_modules${sep}`)) {
              return { errors: [{ text: `${args.path} reaches into the framework's own files (${relative(packageRoot, target)}): import it by the package's name, e.g. from "sakila-assets"` }] }
            }
            return undefined
          })
          // the compiled file lives elsewhere: import.meta of a project file must still name that file
          b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
            if (args.path.includes(`${sep}node_modules${sep}`)) return undefined
            const text = readFileSync(args.path, "utf8")
            if (!text.includes("import.meta")) return undefined
            const url = pathToFileURL(args.path).href
            const contents = text
              .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(args.path)))
              .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path))
              .replace(/\bimport\.meta\.url\b/g, JSON.stringify(url))
            return { contents, loader: loaderOf(args.path), resolveDir: dirname(args.path) }
          })
          b.onLoad({ filter: /.*/, namespace: "shared" }, (args) => ({ contents: sharedModuleSource(shared, args.path), loader: "js" }))
        }
      }
    ]
  })
  const hash = createHash("sha256")
  for (const f of result.outputFiles) hash.update(f.path).update(f.contents)
  // next to the project, so that the compiled files' own imports resolve from the project's node_modules
  const dir = join(cacheRoot, `config-${hash.digest("hex").slice(0, 16)}`)
  if (!existsSync(join(dir, "config.js"))) {
    mkdirSync(dir, { recursive: true })
    // the entry last: a directory with config.js is complete
    for (const f of [...result.outputFiles].sort((a, b) => Number(a.path.endsWith("/config.js")) - Number(b.path.endsWith("/config.js")))) {
      // whole files only (another process may be compiling the same project): write aside, then rename
      const target = join(dir, relative("/compiled", f.path))
      writeFileSync(`${target}.${process.pid}`, f.contents)
      renameSync(`${target}.${process.pid}`, target)
    }
  }
  const inputs = Object.keys(result.metafile.inputs).filter((i) => !i.startsWith("shared:")).map((i) => resolve(i))
  writeFileSync(`${manifestFile}.${process.pid}`, JSON.stringify({ build: buildStamp(), dir, inputs: inputs.map((i) => [i, ...stamp(i)]) } satisfies Manifest))
  renameSync(`${manifestFile}.${process.pid}`, manifestFile)
  return importModule(pathToFileURL(join(moduleScope(dir), "config.js")).href)
}

/**
 * The compiled folder with a package.json saying its files are ES modules. Under node_modules no package.json of
 * the project's applies, so without one Node 20 would compile each file a second time to find out which kind of
 * module it is (about 25 ms of every command's start). Folders compiled before it was written get it here.
 */
const moduleScope = (dir: string): string => {
  const file = join(dir, "package.json")
  if (!existsSync(file)) {
    try {
      writeFileSync(`${file}.${process.pid}`, '{ "type": "module" }\n')
      renameSync(`${file}.${process.pid}`, file)
    } catch {
      // a folder this user cannot write: the configuration loads as before, only slower
    }
  }
  return dir
}

/** Which files the last compile read, as they were then, and where it wrote: so an unchanged project skips esbuild. */
interface Manifest {
  readonly build: string
  readonly dir: string
  readonly inputs: ReadonlyArray<readonly [string, number, number]>
}

const stamp = (path: string): readonly [number, number] => {
  const s = statSync(path)
  return [s.mtimeMs, s.size]
}

/** this command's build: a new one may share different names, so its compiles are its own */
const buildStamp = () => String(stamp(new URL("./shared-exports.json", import.meta.url).pathname)[0])

const freshCompiled = (manifestFile: string): string | undefined => {
  try {
    const m = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest
    if (m.build !== buildStamp() || !existsSync(join(m.dir, "config.js"))) return undefined
    for (const [path, mtime, size] of m.inputs) {
      const [t, n] = stamp(path)
      if (t !== mtime || n !== size) return undefined
    }
    return m.dir
  } catch {
    return undefined
  }
}

/**
 * The module a configuration's import of a shared specifier compiles to. A package index re-exports its modules,
 * each its own shared module, so only those the configuration names are loaded; a single module reads the
 * command's own instance.
 */
const sharedModuleSource = (shared: SharedModules, spec: string): string => {
  const modules = shared.barrels[spec]
  if (modules !== undefined) {
    const reexports = modules.map((m) => `export * as ${m} from ${JSON.stringify(`${spec}/${m}`)};`)
    // effect's index also has a few functions of its own (pipe, flow, identity, ...), all from effect/Function
    const functions = spec === "effect" ? (exportsOf()["effect"] ?? []).filter((n) => !modules.includes(n) && isIdentifierName(n)) : []
    if (functions.length > 0) reexports.push(`export { ${functions.join(", ")} } from "effect/Function";`)
    return reexports.join("\n")
  }
  const all = exportsOf()[spec] ?? []
  const names = all.filter((n) => n !== "default" && isIdentifierName(n))
  return [
    `const m = await globalThis[Symbol.for("sakila-assets/shared-modules")].modules.get(${JSON.stringify(spec)})();`,
    ...names.map((n, i) => `const _${i} = m[${JSON.stringify(n)}];`),
    `export { ${names.map((n, i) => `_${i} as ${n}`).join(", ")} };`,
    all.includes("default") ? "export default m.default;" : ""
  ].join("\n")
}
