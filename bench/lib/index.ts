/** The benchmark harness: `defineBench` for bench files; `bench/run.ts` runs them. */
export { defineBench, isMemoryGroup } from "./types.ts"
export type { BenchFile, BenchGroup, BenchResult, MemoryCase, MemoryGroup, TimeCase, TimeGroup } from "./types.ts"
