import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { basename, join, relative, resolve } from "node:path"
import { Console, Data, Effect, Option } from "effect"
import { ownPackage } from "../../ownPackage.js"

/** The scaffold could not be written (or this installation lacks its template): exit code 1. */
export class InitError extends Data.TaggedError("InitError")<{ readonly message: string }> {}

/** The asset the scaffold's `materialize` script and README name (templates/project/assets.config.ts). */
const REPORT = "sales_report"

/** Template files whose name a package cannot hold (npm drops or renames dotfiles like .gitignore). */
const renamed: Record<string, string> = { gitignore: ".gitignore" }

/** A valid npm package name made of the folder's name. */
const packageName = (folder: string): string =>
  folder
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[._-]+/, "")
    .replace(/-+$/, "")
    .slice(0, 214) || "assets-project"

/** `assets init`'s handler, loaded when the command runs (init.ts defines the command). It never loads a project. */
export const init = (args: { readonly directory: string; readonly packageSpec: Option.Option<string> }) =>
  Effect.gen(function* () {
    const target = resolve(args.directory)
    if (existsSync(target)) {
      const problem = !statSync(target).isDirectory()
        ? "exists and is not a folder"
        : readdirSync(target).length > 0
          ? "exists and is not empty"
          : undefined
      if (problem !== undefined) {
        yield* Console.error(`error: ${args.directory} ${problem}: assets init makes a project in a new or empty folder; nothing was written`)
        process.exitCode = 2
        return
      }
    }
    const own = ownPackage()
    const templates = join(own.root, "templates", "project")
    if (!existsSync(templates)) {
      return yield* new InitError({ message: `the project template is missing from this installation of sakila-assets (${templates})` })
    }

    const name = packageName(basename(target))
    const spec = Option.getOrElse(args.packageSpec, () => `^${own.version}`)
    const manifest = {
      name,
      version: "0.1.0",
      private: true,
      type: "module",
      scripts: {
        materialize: `assets materialize ${REPORT}`,
        status: "assets status",
        serve: "assets serve"
      },
      dependencies: {
        "sakila-assets": spec,
        // the configuration imports effect too: the range this package depends on, so npm installs one copy
        ...(own.dependencies["effect"] !== undefined ? { effect: own.dependencies["effect"] } : {})
      }
    }

    const files: Array<readonly [string, string]> = [["package.json", `${JSON.stringify(manifest, null, 2)}\n`]]
    const order = ["assets.config.ts", "README.md", "gitignore"]
    const rank = (f: string) => (order.includes(f) ? order.indexOf(f) : order.length)
    for (const file of readdirSync(templates).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))) {
      const text = readFileSync(join(templates, file), "utf8").replaceAll("{{name}}", name)
      files.push([renamed[file] ?? file, text])
    }

    yield* Effect.try({
      try: () => {
        mkdirSync(target, { recursive: true })
        for (const [file, text] of files) writeFileSync(join(target, file), text, { flag: "wx" })
      },
      catch: (e) => new InitError({ message: `cannot write the project in ${target}: ${e instanceof Error ? e.message : String(e)}` })
    })

    const shown = relative(process.cwd(), target) || "."
    const about: Record<string, string> = {
      "package.json": `depends on sakila-assets ${spec}; \`npm run materialize\``,
      "assets.config.ts": `the project: orders (monthly, generated), monthly_sales (monthly, SQL), ${REPORT} (every month)`,
      "README.md": "what the files are and the commands",
      ".gitignore": "node_modules, lake, .assets"
    }
    const width = Math.max(...files.map(([f]) => f.length)) + 2
    yield* Console.log(
      [
        `created the project ${name} in ${shown === "." ? "this folder" : `${shown}/`}:`,
        ...files.map(([f]) => `  ${f.padEnd(width)}${about[f] ?? ""}`.trimEnd()),
        "",
        "next:",
        ...(shown === "." ? [] : [`  cd ${shown.includes(" ") ? JSON.stringify(shown) : shown}`]),
        "  npm install",
        `  npx assets materialize ${REPORT}`,
        "  npx assets status",
        "  npx assets serve"
      ].join("\n")
    )
  })
