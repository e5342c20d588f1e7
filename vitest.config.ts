import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // DuckDB and MariaDB fixtures are heavy; two cores on these machines
    maxWorkers: 2,
    reporters: ["default"]
  }
})
