/**
 * The logarithmic market scoring rule (Hanson): the market maker's cost function
 * `C(q) = b · ln Σ exp(q_i / b)` over outstanding shares `q`, its prices (the softmax of `q / b`,
 * each in [0, 1], summing to 1), and its worst-case loss `b · ln n`. Pure functions over floats;
 * the market turns them into minor units, rounding in the market maker's favour.
 *
 * @since 0.1.0
 */

const logSumExp = (q: ReadonlyArray<number>, b: number): number => {
  let max = -Infinity
  for (const x of q) if (x / b > max) max = x / b
  let sum = 0
  for (const x of q) sum += Math.exp(x / b - max)
  return max + Math.log(sum)
}

/** The cost function `C(q)`. */
export const cost = (q: ReadonlyArray<number>, b: number): number => b * logSumExp(q, b)

/**
 * Instantaneous prices: `exp(q_i / b) / Σ exp(q_j / b)`. Each is in (0, 1) in exact arithmetic
 * (a float saturates to 0 or 1 once `q` differ by more than ~37·b); they sum to 1.
 */
export const prices = (q: ReadonlyArray<number>, b: number): ReadonlyArray<number> => {
  let max = -Infinity
  for (const x of q) if (x / b > max) max = x / b
  const weights = q.map((x) => Math.exp(x / b - max))
  const total = weights.reduce((a, w) => a + w, 0)
  return weights.map((w) => w / total)
}

/** What buying `shares` of `outcome` costs (negative `shares`: what selling them returns, negated). */
export const tradeCost = (q: ReadonlyArray<number>, outcome: number, shares: number, b: number): number => {
  const next = q.slice()
  next[outcome] = (next[outcome] ?? 0) + shares
  return cost(next, b) - cost(q, b)
}

/** The market maker's worst-case loss: `b · ln n` for `n` outcomes. */
export const maxLoss = (b: number, outcomes: number): number => b * Math.log(outcomes)
