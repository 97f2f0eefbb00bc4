/** Formatting of benchmark results for the terminal. */
import type { BenchResult } from "./types.ts"

const fmt = (value: number | undefined, digits = 1): string =>
  value === undefined
    ? "-"
    : value >= 1e6
      ? `${(value / 1e6).toFixed(2)}M`
      : value >= 1e4
        ? `${(value / 1e3).toFixed(1)}k`
        : value.toFixed(digits)

/** One aligned line per case: ns/op with CI, p50, p99, ops/s, bytes/op and the ratio to the baseline. */
export const formatResult = (result: BenchResult): string => {
  const label = `${result.baseline ? "  (baseline) " : "  "}${result.name}`.padEnd(44)
  if (result.meanNs === undefined) {
    return `${label} ${fmt(result.bytesPerOp).padStart(10)} B/item   x${result.ratio.toFixed(2)}`
  }
  return [
    label,
    `${fmt(result.meanNs)} ns/op ±${fmt(result.ci95Ns)}`.padStart(24),
    `p50 ${fmt(result.p50Ns)}`.padStart(12),
    `p99 ${fmt(result.p99Ns)}`.padStart(12),
    `${fmt(result.opsPerSec, 0)} ops/s`.padStart(14),
    `${fmt(result.bytesPerOp)} B/op`.padStart(12),
    `x${result.ratio.toFixed(2)}`.padStart(8)
  ].join(" ")
}
