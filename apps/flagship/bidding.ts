/**
 * How a strategist values a training slot: an untried strategy bids its exploration value; a
 * tried one bids more the better its best score so far. Bids never exceed what it can escrow.
 *
 * @since 0.1.0
 */
import type { StudySummary } from "../../src/variables/index.ts"

/** What an untried strategy bids. */
export const EXPLORATION_BID = 30n

/** The bid of `strategy` for one slot, given the study so far and its available credits. */
export const bidFor = (summary: StudySummary, strategy: string, available: bigint): bigint => {
  const best = summary.strategies[strategy]?.best
  const value = best === undefined ? EXPLORATION_BID : 5n + BigInt(Math.round(Math.max(0, best - 0.5) * 200))
  return value < available ? value : available
}
