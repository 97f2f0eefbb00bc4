import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { formatComparison, meanInterval, pairedInterval, t95, verdictOf } from "../../apps/flagship/index.ts"

describe("flagship statistics", () => {
  it("the t quantile is the table's up to 30 degrees of freedom and tends to 1.96", () => {
    assert.strictEqual(t95(1), 12.706)
    assert.strictEqual(t95(19), 2.093)
    assert.closeTo(t95(40), 2.021, 0.002)
    assert.closeTo(t95(120), 1.98, 0.002)
    assert.closeTo(t95(1e6), 1.96, 1e-3)
  })

  it("a mean interval: known values, and one sample has no width", () => {
    const i = meanInterval([1, 2, 3, 4, 5])
    assert.strictEqual(i.mean, 3)
    // s = sqrt(2.5), t(4) = 2.776: half-width 2.776 · sqrt(2.5 / 5)
    assert.closeTo(i.high - i.mean, 2.776 * Math.sqrt(0.5), 1e-12)
    assert.closeTo(i.mean - i.low, 2.776 * Math.sqrt(0.5), 1e-12)
    assert.deepStrictEqual(meanInterval([0.7]), { n: 1, mean: 0.7, low: 0.7, high: 0.7 })
  })

  const Unit = Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 1 }))
  const Pairs = Schema.Array(Schema.Tuple([Unit, Unit])).check(Schema.isMinLength(2), Schema.isMaxLength(40))
  it.prop(
    "the interval contains the mean, and a paired interval is the interval of the differences",
    [Pairs],
    ([pairs]) => {
      const paired = pairedInterval(
        pairs.map(([x]) => x),
        pairs.map(([, y]) => y)
      )
      const direct = meanInterval(pairs.map(([x, y]) => x - y))
      assert.isAtMost(paired.low, paired.mean + 1e-12)
      assert.isAtMost(paired.mean, paired.high + 1e-12)
      assert.closeTo(paired.mean, direct.mean, 1e-12)
      assert.closeTo(paired.high, direct.high, 1e-12)
    },
    { arbitrary: { runs: 200, seed: 7 } }
  )

  it("the verdict says whether the paired interval excludes zero, and which way", () => {
    assert.match(
      verdictOf({ n: 20, mean: 0.02, low: 0.01, high: 0.03 }),
      /^the team is ahead by 2\.0 points on average, and the paired 95% interval \[\+1\.0, \+3\.0\] points excludes zero$/
    )
    assert.match(verdictOf({ n: 20, mean: -0.02, low: -0.03, high: -0.01 }), /^random search is ahead by 2\.0 points/)
    assert.match(
      verdictOf({ n: 20, mean: 0.002, low: -0.01, high: 0.014 }),
      /^no significant difference: .*includes zero$/
    )
    const interval = { n: 2, mean: 0.9, low: 0.85, high: 0.95 }
    const text = formatComparison({
      task: "spirals",
      unit: "epochs",
      budget: 100,
      rows: [],
      team: interval,
      ensemble: interval,
      random: interval,
      difference: { n: 2, mean: 0, low: -0.01, high: 0.01 },
      ensembleDifference: { n: 2, mean: 0, low: -0.01, high: 0.01 }
    })
    assert.include(text, "single-agent random search        90.0%   [85.0%, 95.0%]")
    assert.include(text, "→ no significant difference")
  })
})
