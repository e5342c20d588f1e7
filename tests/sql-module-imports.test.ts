import { readdirSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { describe, expect, it } from "vitest"

const root = resolve(import.meta.dirname, "..")
/** the folders the `assets` command is bundled from */
const bundled = ["entries", "runtime", "resources", "ui-api"]
const sources = (dir: string): Array<string> =>
  readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => join(e.parentPath, e.name))

/**
 * The index of an Effect SQL package re-exports all its modules, and a value import of it puts the index into the
 * command's bundle, started at every command (about 15 ms of `assets list`, bench/cli.ts): the framework imports
 * the modules themselves (`import * as SqlClient from "@effect/sql/SqlClient"`). Types may come from the index.
 */
describe("the bundled framework's SQL imports", () => {
  it("name Effect's SQL modules, not their packages' indexes", () => {
    const index = /^import \{(?!\s*type\b)[^}]*\} from "@effect\/sql(-sqlite-node|-mysql2)?"$/m
    const offenders = bundled.flatMap(sources).filter((f) => index.test(readFileSync(f, "utf8")))
    expect(offenders.map((f) => f.slice(root.length + 1))).toEqual([])
  })
})
