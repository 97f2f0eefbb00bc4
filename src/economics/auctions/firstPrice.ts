/**
 * Sealed-bid first-price auction: the highest bid at or above the reserve wins and pays its bid.
 *
 * @since 0.1.0
 */
import { type Outcome, rankSealed, type SealedInput } from "./types.ts"

/**
 * Runs a first-price auction. Ties follow `compareBids` (earlier bid wins).
 *
 * @example
 * ```ts
 * firstPrice({ bids: [{ bidder: "a", amount: 5n }, { bidder: "b", amount: 7n }], reserve: 1n })
 * // { award: { winner: "b", bid: 7n, payment: 7n } }
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const firstPrice = (input: SealedInput): Outcome => {
  const top = rankSealed(input)[0]
  return { award: top === undefined ? undefined : { winner: top.bidder, bid: top.amount, payment: top.amount } }
}
