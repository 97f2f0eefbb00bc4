/**
 * Dutch (descending clock) auction as a pure step function. The price starts at `startPrice`
 * and drops by `decrement` every `tick` ms, never below the reserve; the first bidder to take
 * wins at the current price. Nobody taking by the deadline means no sale.
 *
 * Ties: takes are processed in arrival order, so the first one wins and later ones are rejected
 * as closed.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Amount } from "../money.ts"
import { AuctionClosed } from "./AuctionError.ts"
import type { AuctionEvent, Outcome, Step } from "./types.ts"

const Millis = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/**
 * Configuration of a Dutch auction. `start` and `deadline` are Clock milliseconds.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DutchConfig = Schema.Struct({
  startPrice: Amount,
  decrement: Amount,
  tick: Millis.check(Schema.isGreaterThan(0)),
  reserve: Amount,
  start: Millis,
  deadline: Millis
})
/**
 * Configuration of a Dutch auction.
 *
 * @since 0.1.0
 * @category models
 */
export type DutchConfig = typeof DutchConfig.Type

/**
 * State of a Dutch auction.
 *
 * @since 0.1.0
 * @category models
 */
export interface DutchState {
  readonly auction: string
  readonly config: DutchConfig
  readonly outcome: Outcome | undefined
}

/**
 * A fresh Dutch auction named `auction`.
 *
 * @since 0.1.0
 * @category utils
 */
export const dutchInit = (auction: string, config: DutchConfig): DutchState => ({
  auction,
  config,
  outcome: undefined
})

/**
 * The clock price at time `at`: `startPrice − decrement·⌊(at − start)/tick⌋`, floored at the reserve.
 *
 * @since 0.1.0
 * @category utils
 */
export const dutchPrice = (config: DutchConfig, at: number): bigint => {
  const steps = BigInt(Math.max(0, Math.floor((at - config.start) / config.tick)))
  const price = config.startPrice - config.decrement * steps
  return price > config.reserve ? price : config.reserve
}

/**
 * One step of a Dutch auction. `Bid` is treated as a take (the amount is ignored: the clock sets the price).
 *
 * @since 0.1.0
 * @category utils
 */
export const dutchStep = (state: DutchState, event: AuctionEvent): Step<DutchState, AuctionClosed> => {
  const deadline = state.config.deadline
  if (event._tag === "Close") {
    if (state.outcome !== undefined || event.at < deadline) return { state, outputs: [] }
    const outcome: Outcome = { award: undefined }
    return { state: { ...state, outcome }, outputs: [{ _tag: "Settled", outcome }] }
  }
  if (state.outcome !== undefined || event.at >= deadline) {
    const error = new AuctionClosed({ auction: state.auction, at: event.at, deadline })
    return { state, outputs: [{ _tag: "Rejected", error }] }
  }
  const price = dutchPrice(state.config, event.at)
  const outcome: Outcome = { award: { winner: event.bidder, bid: price, payment: price } }
  return {
    state: { ...state, outcome },
    outputs: [
      { _tag: "Accepted", bidder: event.bidder, amount: price },
      { _tag: "Settled", outcome }
    ]
  }
}

/**
 * The pure mechanism: the first take before the deadline wins at the clock price.
 *
 * @example
 * ```ts
 * dutch("lot", { startPrice: 100n, decrement: 10n, tick: 1000, reserve: 50n, start: 0, deadline: 10_000 },
 *   [{ bidder: "a", at: 2500 }]) // { award: { winner: "a", bid: 80n, payment: 80n } }
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const dutch = (
  auction: string,
  config: DutchConfig,
  takes: ReadonlyArray<{ readonly bidder: string; readonly at: number }>
): Outcome => {
  let state = dutchInit(auction, config)
  for (const take of takes) state = dutchStep(state, { _tag: "Take", ...take }).state
  return (
    dutchStep(state, { _tag: "Close", at: Math.max(config.deadline, ...takes.map((t) => t.at)) }).state.outcome ?? {
      award: undefined
    }
  )
}
