/**
 * What single-item auction mechanisms share: bids, outcomes and the tie-breaking rule.
 *
 * **Tie-breaking (every mechanism):** a higher amount ranks first; between equal amounts, the
 * bid submitted earlier (lower `seq`, i.e. earlier position in the input array, or earlier
 * arrival in a live auction) ranks first. A bidder's repeated sealed bids count once, at their
 * highest amount (the earliest of equal ones).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { AccountId, Amount, NonNegativeAmount } from "../money.ts"

/**
 * A sealed bid on one item.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Bid = Schema.Struct({ bidder: AccountId, amount: Amount })
/**
 * A sealed bid on one item.
 *
 * @since 0.1.0
 * @category models
 */
export type Bid = typeof Bid.Type

/**
 * Input of a sealed-bid mechanism: at most 100 000 bids and a reserve price.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SealedInput = Schema.Struct({
  bids: Schema.Array(Bid).check(Schema.isMaxLength(100_000)),
  reserve: NonNegativeAmount
})
/**
 * Input of a sealed-bid mechanism.
 *
 * @since 0.1.0
 * @category models
 */
export type SealedInput = typeof SealedInput.Type

/**
 * The winner of one item and what they pay.
 *
 * @since 0.1.0
 * @category models
 */
export interface Award {
  readonly winner: string
  readonly bid: bigint
  readonly payment: bigint
}

/**
 * The result of a single-item mechanism: an award, or `undefined` when nothing sold.
 *
 * @since 0.1.0
 * @category models
 */
export interface Outcome {
  readonly award: Award | undefined
}

/**
 * A bid with its submission order.
 *
 * @since 0.1.0
 * @category models
 */
export interface RankedBid extends Bid {
  readonly seq: number
}

/**
 * Orders bids best first by the documented tie rule (amount desc, then submission order asc).
 *
 * @since 0.1.0
 * @category utils
 */
export const compareBids = (x: RankedBid, y: RankedBid): number =>
  x.amount === y.amount ? x.seq - y.seq : x.amount > y.amount ? -1 : 1

/**
 * Each bidder's best bid (see the tie rule), best first. Bids below `reserve` are dropped.
 *
 * @since 0.1.0
 * @category utils
 */
export const rankSealed = (input: SealedInput): ReadonlyArray<RankedBid> => {
  const best = new Map<string, RankedBid>()
  input.bids.forEach((bid, seq) => {
    if (bid.amount < input.reserve) return
    const seen = best.get(bid.bidder)
    // A later bid ranks before an earlier one of the same bidder only with a strictly higher amount.
    if (seen === undefined || bid.amount > seen.amount)
      best.set(bid.bidder, { bidder: bid.bidder, amount: bid.amount, seq })
  })
  return [...best.values()].sort(compareBids)
}

/**
 * An event fed to a live auction's step function. Times are Clock milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export type AuctionEvent =
  | { readonly _tag: "Bid"; readonly bidder: string; readonly amount: bigint; readonly at: number }
  | { readonly _tag: "Take"; readonly bidder: string; readonly at: number }
  | { readonly _tag: "Close"; readonly at: number }

/**
 * What a step asks its driver to do. `Outbid` means: release that bidder's escrow.
 *
 * @since 0.1.0
 * @category models
 */
export type AuctionOutput<E> =
  | { readonly _tag: "Accepted"; readonly bidder: string; readonly amount: bigint }
  | { readonly _tag: "Outbid"; readonly bidder: string }
  | { readonly _tag: "Extended"; readonly deadline: number }
  | { readonly _tag: "Rejected"; readonly error: E }
  | { readonly _tag: "Settled"; readonly outcome: Outcome }

/**
 * The result of one step: the next state and the outputs, in order.
 *
 * @since 0.1.0
 * @category models
 */
export interface Step<S, E> {
  readonly state: S
  readonly outputs: ReadonlyArray<AuctionOutput<E>>
}
