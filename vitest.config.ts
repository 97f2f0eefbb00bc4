import { configDefaults, defineConfig } from "vitest/config"

// The JSON report feeds `.ci/run`, which prints the one-line `N passed, N failed` summary from it.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The consumer app is a separate project, tested against the packed package by .ci/consumer.sh.
    exclude: [...configDefaults.exclude, "test/consumer/app/**"],
    setupFiles: ["test/setup.ts"],
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
