/**
 * The statistics of the flagship's multi-seed comparison: a mean with its 95% confidence interval
 * (Student's t, the seeds being independent draws), and the same for paired differences.
 *
 * @since 0.2.0
 */

/** Two-sided 95% quantiles of Student's t for 1 to 30 degrees of freedom. */
const T95: ReadonlyArray<number> = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042
]

/** The two-sided 95% quantile of Student's t with `df` degrees of freedom (a series past 30). */
export const t95 = (df: number): number => {
  if (df <= 30) return T95[Math.max(1, Math.floor(df)) - 1]!
  const z = 1.959964
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)
}

/** A mean and its 95% confidence interval `[low, high]` (`low = high = mean` for one sample). */
export interface Interval {
  readonly n: number
  readonly mean: number
  readonly low: number
  readonly high: number
}

/** The mean of `samples` (at least one) with its 95% t-interval. */
export const meanInterval = (samples: ReadonlyArray<number>): Interval => {
  const n = samples.length
  const mean = samples.reduce((sum, x) => sum + x, 0) / n
  if (n < 2) return { n, mean, low: mean, high: mean }
  const variance = samples.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1)
  const half = t95(n - 1) * Math.sqrt(variance / n)
  return { n, mean, low: mean - half, high: mean + half }
}

/** The mean of the paired differences `a[i] - b[i]` with its 95% t-interval. */
export const pairedInterval = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): Interval =>
  meanInterval(a.map((x, i) => x - b[i]!))
