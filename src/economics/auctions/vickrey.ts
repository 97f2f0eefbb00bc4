/**
 * Vickrey (second-price sealed-bid) auction: the highest bid at or above the reserve wins and
 * pays the larger of the reserve and the best bid of any *other* bidder. Bidding one's true value
 * is a weakly dominant strategy.
 *
 * @since 0.1.0
 */
import { type Outcome, rankSealed, type SealedInput } from "./types.ts"

/**
 * Runs a Vickrey auction. Ties follow `compareBids`; with a tie at the top the winner pays its own
 * amount (the runner-up bid equals it).
 *
 * @example
 * ```ts
 * vickrey({ bids: [{ bidder: "a", amount: 5n }, { bidder: "b", amount: 7n }], reserve: 1n })
 * // { award: { winner: "b", bid: 7n, payment: 5n } }
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const vickrey = (input: SealedInput): Outcome => {
  const [top, second] = rankSealed(input)
  if (top === undefined) return { award: undefined }
  const price = second === undefined || second.amount < input.reserve ? input.reserve : second.amount
  return { award: { winner: top.bidder, bid: top.amount, payment: price } }
}
