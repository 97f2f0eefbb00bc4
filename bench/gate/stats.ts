/**
 * The statistics of the A/B gate, pure and deterministic (tested in `test/bench/gate.test.ts`).
 *
 * A measurement gives, for each gated case, one ns/op sample per side per round; the rounds were
 * interleaved (A B, B A, A B, …), so whatever the machine did during a round (a neighbour's burst,
 * a cache flushed by a context switch) landed on both of its samples. Each side's figure is the
 * median of its samples with a distribution-free 95% confidence interval from order statistics
 * (timings are skewed: no normality is assumed). The comparison is the median over rounds of the
 * per-round ratio candidate / base, with its interval computed the same way.
 *
 * The rule: a case is *slower* when even the favourable (lower) end of the ratio's 95% interval is
 * more than `tolerance` above 1. This is "the favourable end of both intervals" once each round's
 * common load is divided out: scale round r's pair by 1/√(a·b) and the two sides' intervals meet
 * exactly at the ratio's interval. The unnormalised form (candidate's lower bound over the base's
 * upper bound, the old gate's rule) is not used: on this machine under load, the cache-sensitive
 * 1k-agents case swung ±40% between rounds on both sides at once, which made that form miss a
 * twofold slowdown (x1.05) whose per-round ratios lay in [1.72, 2.20].
 */

/** The median of `xs` (NaN when empty). */
export const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const n = sorted.length
  if (n === 0) return Number.NaN
  const mid = n >> 1
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
const binomialHalfCdf = (n: number, k: number): number => {
  let term = 0.5 ** n
  let sum = term
  for (let i = 1; i <= k; i++) {
    term = (term * (n - i + 1)) / i
    sum += term
  }
  return sum
}

/** A closed interval `[low, high]`. */
export interface Interval {
  readonly low: number
  readonly high: number
}

/**
 * The distribution-free confidence interval of the median: `[x(k), x(n+1−k)]` of the sorted
 * samples, with the largest `k` whose coverage is at least `confidence`. With fewer than 6 samples
 * no such `k` exists at 95%, and the interval is the whole range (the widest, hence the most
 * cautious, answer).
 */
export const medianInterval = (xs: ReadonlyArray<number>, confidence = 0.95): Interval => {
  const sorted = [...xs].sort((a, b) => a - b)
  const n = sorted.length
  if (n === 0) return { low: Number.NaN, high: Number.NaN }
  const tail = (1 - confidence) / 2
  let k = 0
  while (k + 1 <= n / 2 && binomialHalfCdf(n, k) <= tail) k++
  const index = Math.max(1, k)
  return { low: sorted[index - 1]!, high: sorted[n - index]! }
}

/** One side's figure: the median ns/op of its rounds and that median's 95% interval. */
export interface Figure {
  readonly median: number
  readonly interval: Interval
}

/** What the gate concludes about one case from one measurement. */
export interface Comparison {
  readonly base: Figure
  readonly candidate: Figure
  /** The median over rounds of candidate / base, and its 95% interval. */
  readonly ratio: Figure
  /** The most favourable ratio the measurement allows: the lower end of `ratio`'s interval. */
  readonly atBest: number
  /** True when even `atBest` is more than `tolerance` above 1. */
  readonly slower: boolean
}

const figure = (xs: ReadonlyArray<number>): Figure => ({ median: median(xs), interval: medianInterval(xs) })

/**
 * Compares one case's samples; `base[i]` and `candidate[i]` come from the same round. Throws when
 * the two series differ in length or hold no sample (a broken measurement, never a verdict).
 */
export const compare = (
  base: ReadonlyArray<number>,
  candidate: ReadonlyArray<number>,
  tolerance: number
): Comparison => {
  if (base.length === 0 || base.length !== candidate.length) {
    throw new Error(`a comparison needs paired samples, got ${base.length} base and ${candidate.length} candidate`)
  }
  const baseFigure = figure(base)
  const candidateFigure = figure(candidate)
  const ratio = figure(candidate.map((value, i) => value / base[i]!))
  return {
    base: baseFigure,
    candidate: candidateFigure,
    ratio,
    atBest: ratio.interval.low,
    slower: ratio.interval.low > 1 + tolerance
  }
}

/**
 * The gate's verdict on one case from its measurements, in order: a regression is a case slower in
 * the first measurement and again in the re-measure (a fresh process). One measurement is never
 * enough, however slow it looked.
 */
export const isRegression = (comparisons: ReadonlyArray<Comparison>): boolean =>
  comparisons.length >= 2 && comparisons.every((comparison) => comparison.slower)
