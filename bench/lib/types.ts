/**
 * The shape of a benchmark file: `export default defineBench(name, groups)`.
 *
 * Every group compares its cases with a baseline measured in the same run, so a ratio printed
 * here does not depend on how fast the machine was that day.
 */

/** One timed operation. `ops` says how many operations one call of `fn` performs (default 1). */
export interface TimeCase {
  readonly name: string
  readonly fn: () => unknown
  readonly ops?: number
}

/** A timed group: every case is reported beside `baseline`. */
export interface TimeGroup {
  readonly group: string
  readonly setup?: () => unknown
  readonly teardown?: () => unknown
  readonly baseline: TimeCase
  readonly cases: ReadonlyArray<TimeCase>
}

/** One memory measurement: `build(count)` returns what it built; it is kept alive while measured. */
export interface MemoryCase {
  readonly name: string
  readonly build: (count: number) => unknown
}

/** A memory group: bytes retained per item, measured as a heap delta after GC. */
export interface MemoryGroup {
  readonly group: string
  readonly memory: {
    readonly count: number
    readonly baseline: MemoryCase
    readonly cases: ReadonlyArray<MemoryCase>
  }
}

/** A group of either kind. */
export type BenchGroup = TimeGroup | MemoryGroup

/** A benchmark file's default export. */
export interface BenchFile {
  readonly name: string
  readonly groups: ReadonlyArray<BenchGroup>
}

/** One line of `bench/results/latest.json`. */
export interface BenchResult {
  readonly file: string
  readonly group: string
  readonly name: string
  readonly baseline: boolean
  readonly meanNs?: number
  readonly p50Ns?: number
  readonly p99Ns?: number
  readonly ci95Ns?: number
  readonly opsPerSec?: number
  readonly bytesPerOp: number
  /** This case's cost divided by the baseline's (time or bytes); 1 for the baseline itself. */
  readonly ratio: number
}

/**
 * Declares a benchmark file.
 *
 * @example
 * ```ts
 * export default defineBench("map", [{
 *   group: "get",
 *   baseline: { name: "Map.get", fn: () => map.get("k") },
 *   cases: [{ name: "object lookup", fn: () => object["k"] }]
 * }])
 * ```
 */
export const defineBench = (name: string, groups: ReadonlyArray<BenchGroup>): BenchFile => ({ name, groups })

/** True when the group measures memory rather than time. */
export const isMemoryGroup = (group: BenchGroup): group is MemoryGroup => "memory" in group
