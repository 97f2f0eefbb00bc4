/**
 * The A/B benchmark gate's statistics and settings (bench/gate/stats.ts, bench/gate/config.ts).
 * Pure functions over given samples: no timing here (the gate's behaviour on real measurements is
 * checked by `npm run bench:gate:selftest`, which CI runs).
 */
import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { settingsFrom } from "../../bench/gate/config.ts"
import { compare, isRegression, median, medianInterval } from "../../bench/gate/stats.ts"

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1)
const Sample = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100_000 }))
const Samples = Schema.Array(Sample).check(Schema.isBetweenLength(6, 40))
const Tolerance = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 100 }))

describe("gate statistics", () => {
  it("the median of odd and even counts, NaN when empty", () => {
    assert.strictEqual(median([5, 1, 3]), 3)
    assert.strictEqual(median([4, 1, 3, 2]), 2.5)
    assert.isNaN(median([]))
  })

  it("the median's 95% interval is the order-statistic one", () => {
    // P(Binomial(12, 1/2) ≤ 2) = 0.019 ≤ 0.025 < P(≤ 3): the 3rd and 10th of 12 samples.
    assert.deepStrictEqual(medianInterval(range(12).reverse()), { low: 3, high: 10 })
    assert.deepStrictEqual(medianInterval(range(15)), { low: 4, high: 12 })
    assert.deepStrictEqual(medianInterval(range(6)), { low: 1, high: 6 })
    // Below 6 samples no interval reaches 95%: the whole range, the most cautious answer.
    assert.deepStrictEqual(medianInterval(range(5)), { low: 1, high: 5 })
  })

  it.prop("the interval holds the median and is made of samples", [Samples], ([xs]) => {
    const { low, high } = medianInterval(xs)
    assert.isTrue(low <= median(xs) && median(xs) <= high)
    assert.isTrue(xs.includes(low) && xs.includes(high))
  })

  it.prop("identical samples are never slower, whatever the tolerance", [Samples, Tolerance], ([xs, percent]) => {
    const comparison = compare(xs, xs, percent / 100)
    assert.isFalse(comparison.slower)
    assert.isAtMost(comparison.atBest, 1)
    assert.strictEqual(comparison.ratio.median, 1)
  })

  it.prop(
    "a candidate slower than every base sample by more than the tolerance is slower",
    [Samples, Tolerance],
    ([xs, percent]) => {
      const tolerance = percent / 100
      const worst = Math.max(...xs) * (1 + tolerance) * 1.01
      const comparison = compare(
        xs,
        xs.map((x) => worst + x),
        tolerance
      )
      assert.isTrue(comparison.slower)
    }
  )

  it.prop("scaling both sides alike changes no finding", [Samples, Samples, Tolerance], ([a, b, percent]) => {
    const n = Math.min(a.length, b.length)
    const [base, candidate] = [a.slice(0, n), b.slice(0, n)]
    const plain = compare(base, candidate, percent / 100)
    const scaled = compare(
      base.map((x) => x * 8),
      candidate.map((x) => x * 8),
      percent / 100
    )
    assert.strictEqual(scaled.slower, plain.slower)
    assert.closeTo(scaled.atBest, plain.atBest, 1e-9)
  })

  it("a twofold slowdown under ±10% noise is slower; a 10% one is not", () => {
    const base = [100, 92, 108, 97, 104, 95, 110, 90, 101, 99, 106, 94]
    const noisy = [96, 109, 91, 103, 98, 110, 93, 105, 100, 92, 107, 97]
    const twofold = compare(
      base,
      noisy.map((x) => x * 2),
      0.25
    )
    assert.isTrue(twofold.slower)
    // The 3rd smallest of the 12 per-round ratios (1.685, 1.691, 1.859, …): 2·92/99.
    assert.closeTo(twofold.atBest, (2 * 92) / 99, 1e-9)
    assert.isFalse(
      compare(
        base,
        noisy.map((x) => x * 1.1),
        0.25
      ).slower
    )
  })

  it.prop(
    "a load common to both samples of a round changes no finding",
    [Samples, Samples, Samples, Tolerance],
    ([a, b, loads, percent]) => {
      const n = Math.min(a.length, b.length, loads.length)
      const [base, candidate] = [a.slice(0, n), b.slice(0, n)]
      const plain = compare(base, candidate, percent / 100)
      const loaded = compare(
        base.map((x, i) => x * loads[i]!),
        candidate.map((x, i) => x * loads[i]!),
        percent / 100
      )
      assert.strictEqual(loaded.slower, plain.slower)
      assert.closeTo(loaded.atBest, plain.atBest, 1e-9)
    }
  )

  it("the lower end of the ratio's interval decides, not the median", () => {
    const base = range(12).map(() => 100)
    // Median ratio x1.5, but 5 of 12 rounds saw no difference: the interval reaches x1.0.
    const comparison = compare(base, [100, 150, 100, 150, 100, 150, 100, 150, 100, 150, 150, 150], 0.25)
    assert.strictEqual(comparison.ratio.median, 1.5)
    assert.strictEqual(comparison.atBest, 1)
    assert.isFalse(comparison.slower)
  })

  it("a twofold slowdown is caught through load swings that overlap both sides' intervals", () => {
    const base = range(12).map((i) => (i % 2 === 0 ? 100 : 200))
    const comparison = compare(
      base,
      base.map((x) => x * 2),
      0.25
    )
    // Each side alone spans 100–400: their intervals overlap; every round says x2.
    assert.isAtLeast(comparison.base.interval.high, comparison.candidate.interval.low)
    assert.isTrue(comparison.slower)
    assert.strictEqual(comparison.atBest, 2)
  })

  it("a comparison needs paired samples", () => {
    assert.throws(() => compare([1, 2, 3], [1, 2], 0.25), /paired samples/)
    assert.throws(() => compare([], [], 0.25), /paired samples/)
  })

  it("a regression is slower in two measurements, never in one", () => {
    const slower = compare(
      range(12),
      range(12).map((x) => x * 10),
      0.25
    )
    const same = compare(range(12), range(12), 0.25)
    assert.isTrue(slower.slower)
    assert.isFalse(isRegression([slower]))
    assert.isFalse(isRegression([slower, same]))
    assert.isTrue(isRegression([slower, slower]))
  })
})

describe("gate settings", () => {
  it("default to HEAD^ against HEAD, 25% tolerance, 12 rounds", () => {
    const settings = settingsFrom({})
    assert.deepInclude(settings, { base: "HEAD^", candidate: "HEAD", defaultBase: true, tolerance: 0.25 })
    assert.strictEqual(settings.effort.rounds, 12)
  })

  it("are read from the MABEAM_BENCH_* variables", () => {
    const settings = settingsFrom({
      MABEAM_BENCH_BASE: "abc123",
      MABEAM_BENCH_CANDIDATE: "worktree",
      MABEAM_BENCH_TOLERANCE: "0.4",
      MABEAM_BENCH_ROUNDS: "30"
    })
    assert.deepInclude(settings, { base: "abc123", candidate: "worktree", defaultBase: false, tolerance: 0.4 })
    assert.strictEqual(settings.effort.rounds, 30)
  })

  it("reject a malformed value, naming it", () => {
    assert.throws(() => settingsFrom({ MABEAM_BENCH_TOLERANCE: "lots" }), /MABEAM_BENCH_TOLERANCE="lots"/)
    assert.throws(() => settingsFrom({ MABEAM_BENCH_ROUNDS: "3" }), /MABEAM_BENCH_ROUNDS="3"/)
    assert.throws(() => settingsFrom({ MABEAM_BENCH_TOLERANCE: "-0.1" }), /MABEAM_BENCH_TOLERANCE/)
  })
})
