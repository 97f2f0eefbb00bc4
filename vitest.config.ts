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
    // Two test files at a time: vitest's default on a 2-core machine is one, and most of the long
    // files wait on child processes and sockets; two workers halve the suite's wall time (600 s to
    // 340 s measured here) at the same pass rate.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
