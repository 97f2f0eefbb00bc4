import { defineConfig } from "vitest/config"

// The JSON report feeds `.ci/run`, which prints the one-line `N passed, N failed` summary from it.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
