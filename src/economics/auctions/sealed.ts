/**
 * A live sealed-bid auction (first-price or Vickrey) as a pure step function: collects one bid
 * per bidder until the deadline, then runs the chosen mechanism.
 *
 * @since 0.1.0
 */
import { NonNegativeAmount } from "../money.ts"
import { Schema } from "effect"
import { AuctionClosed, BelowReserve, DuplicateBid } from "./AuctionError.ts"
import { firstPrice } from "./firstPrice.ts"
import type { AuctionEvent, Bid, Outcome, Step } from "./types.ts"
import { vickrey } from "./vickrey.ts"

/**
 * Configuration of a live sealed-bid auction. `deadline` is in Clock milliseconds.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SealedConfig = Schema.Struct({
  pricing: Schema.Literals(["first-price", "second-price"]),
  reserve: NonNegativeAmount,
  deadline: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  maxBids: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100_000 })))
})
/**
 * Configuration of a live sealed-bid auction.
 *
 * @since 0.1.0
 * @category models
 */
export type SealedConfig = typeof SealedConfig.Type

/**
 * Errors a sealed step can reject a bid with.
 *
 * @since 0.1.0
 * @category models
 */
export type SealedError = BelowReserve | AuctionClosed | DuplicateBid

/**
 * State of a live sealed-bid auction.
 *
 * @since 0.1.0
 * @category models
 */
export interface SealedState {
  readonly auction: string
  readonly config: SealedConfig
  readonly bids: ReadonlyArray<Bid>
  readonly outcome: Outcome | undefined
}

/**
 * A fresh sealed-bid auction named `auction`.
 *
 * @since 0.1.0
 * @category utils
 */
export const sealedInit = (auction: string, config: SealedConfig): SealedState => ({
  auction,
  config,
  bids: [],
  outcome: undefined
})

const reject = (state: SealedState, error: SealedError): Step<SealedState, SealedError> => ({
  state,
  outputs: [{ _tag: "Rejected", error }]
})

/**
 * One step of a sealed-bid auction. Bids are accepted until the deadline or until `maxBids`
 * (default 10 000) is reached, after which further bids are rejected as closed.
 *
 * @since 0.1.0
 * @category utils
 */
export const sealedStep = (state: SealedState, event: AuctionEvent): Step<SealedState, SealedError> => {
  const { auction, config } = state
  if (event._tag === "Close") {
    if (state.outcome !== undefined || event.at < config.deadline) return { state, outputs: [] }
    const input = { bids: state.bids, reserve: config.reserve }
    const outcome = config.pricing === "first-price" ? firstPrice(input) : vickrey(input)
    const losers = state.bids.filter((b) => b.bidder !== outcome.award?.winner)
    return {
      state: { ...state, outcome },
      outputs: [...losers.map((b) => ({ _tag: "Outbid" as const, bidder: b.bidder })), { _tag: "Settled", outcome }]
    }
  }
  const full = state.bids.length >= (config.maxBids ?? 10_000)
  if (state.outcome !== undefined || event.at >= config.deadline || full) {
    return reject(state, new AuctionClosed({ auction, at: event.at, deadline: config.deadline }))
  }
  if (event._tag === "Take") return reject(state, new AuctionClosed({ auction, at: event.at, deadline: event.at }))
  if (event.amount < config.reserve) {
    return reject(state, new BelowReserve({ auction, amount: event.amount, reserve: config.reserve }))
  }
  if (state.bids.some((b) => b.bidder === event.bidder)) {
    return reject(state, new DuplicateBid({ auction, bidder: event.bidder }))
  }
  return {
    state: { ...state, bids: [...state.bids, { bidder: event.bidder, amount: event.amount }] },
    outputs: [{ _tag: "Accepted", bidder: event.bidder, amount: event.amount }]
  }
}
