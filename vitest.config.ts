import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { defineConfig } from "vitest/config"

// Tests import the package by its name the way a project does; here that name means the source files (the
// `sakila-assets-source` condition of package.json's exports), so a test never runs a stale build.
const exportsMap = JSON.parse(readFileSync("package.json", "utf8")).exports as Record<string, { "sakila-assets-source"?: string }>
const alias = Object.entries(exportsMap)
  .filter(([, target]) => typeof target === "object" && target["sakila-assets-source"] !== undefined)
  .map(([sub, target]) => ({
    find: new RegExp(`^sakila-assets${sub === "." ? "" : sub.slice(1).replace(/[/-]/g, "\\$&")}$`),
    replacement: resolve(target["sakila-assets-source"]!)
  }))

export default defineConfig({
  resolve: { alias },
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // DuckDB and MariaDB fixtures are heavy; two cores on these machines
    maxWorkers: 2,
    reporters: ["default"]
  }
})
