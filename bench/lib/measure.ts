/**
 * Measurement primitives: timing with tinybench, retained heap with forced GC.
 *
 * tinybench was picked over mitata because it exposes the statistics we report (mean, p50, p99,
 * a 95% margin of error) as plain numbers, runs async functions, and has no native parts.
 */
import { Bench } from "tinybench"
import type { MemoryCase, TimeCase } from "./types.ts"

/** Timing statistics of one case, per operation. */
export interface TimeStats {
  readonly meanNs: number
  readonly p50Ns: number
  readonly p99Ns: number
  readonly ci95Ns: number
  readonly opsPerSec: number
  readonly bytesPerOp: number
}

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc
  if (collect === undefined) throw new Error("run benchmarks with --expose-gc (npm run bench does)")
  collect()
  collect()
}

/** Heap in use after two full collections. */
export const settledHeap = (): number => {
  gc()
  return process.memoryUsage().heapUsed
}

/** Times one case for about `timeMs` and reports per-operation statistics. */
export const timeCase = async (item: TimeCase, timeMs: number): Promise<TimeStats> => {
  const ops = item.ops ?? 1
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs / 2), iterations: 16 })
  bench.add(item.name, item.fn)
  const before = settledHeap()
  const [task] = await bench.run()
  const after = settledHeap()
  const result = task?.result
  if (result === undefined || !("latency" in result)) {
    throw new Error(`benchmark case "${item.name}" did not complete: ${JSON.stringify(result)}`)
  }
  const runs = Math.max(1, result.latency.samplesCount)
  const perOp = (ms: number) => (ms * 1e6) / ops
  return {
    meanNs: perOp(result.latency.mean),
    p50Ns: perOp(result.latency.p50),
    p99Ns: perOp(result.latency.p99),
    ci95Ns: perOp(result.latency.moe),
    opsPerSec: result.latency.mean > 0 ? (1000 * ops) / result.latency.mean : Infinity,
    bytesPerOp: Math.max(0, after - before) / (runs * ops)
  }
}

/** Bytes retained per item by `build(count)`, measured as a settled-heap delta. */
export const memoryCase = async (item: MemoryCase, count: number): Promise<number> => {
  const before = settledHeap()
  const kept = await item.build(count)
  const after = settledHeap()
  keepAlive(kept)
  return Math.max(0, after - before) / count
}

let sink: unknown
const keepAlive = (value: unknown): void => {
  sink = value
  sink = undefined
}
