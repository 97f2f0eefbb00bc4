/**
 * English (ascending) auction as a pure step function. Bids must reach the reserve and beat the
 * standing bid by the minimum increment; the highest bidder at the deadline wins and pays its
 * bid. With a soft close, a bid inside the last `window` ms pushes the deadline to
 * `at + extension`, never past `latest` (so extensions are bounded).
 *
 * Ties cannot happen: a bid equal to the standing bid is below the minimum increment.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { invariant } from "../../errors/Invariant.ts"
import { Amount, NonNegativeAmount } from "../money.ts"
import { AuctionClosed, BelowReserve, BidTooLow } from "./AuctionError.ts"
import type { AuctionEvent, AuctionOutput, Outcome, RankedBid, Step } from "./types.ts"

const Millis = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/**
 * Configuration of an English auction. `deadline` and `latest` are Clock milliseconds.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EnglishConfig = Schema.Struct({
  reserve: NonNegativeAmount,
  increment: Amount,
  deadline: Millis,
  softClose: Schema.optionalKey(
    Schema.Struct({
      window: Millis,
      extension: Millis.check(Schema.isGreaterThan(0)),
      latest: Millis
    })
  )
})
/**
 * Configuration of an English auction.
 *
 * @since 0.1.0
 * @category models
 */
export type EnglishConfig = typeof EnglishConfig.Type

/**
 * Errors an English step can reject a bid with.
 *
 * @since 0.1.0
 * @category models
 */
export type EnglishError = BelowReserve | BidTooLow | AuctionClosed

/**
 * State of an English auction.
 *
 * @since 0.1.0
 * @category models
 */
export interface EnglishState {
  readonly auction: string
  readonly config: EnglishConfig
  readonly deadline: number
  readonly leader: RankedBid | undefined
  readonly seq: number
  readonly outcome: Outcome | undefined
}

/**
 * A fresh English auction named `auction`.
 *
 * @since 0.1.0
 * @category utils
 */
export const englishInit = (auction: string, config: EnglishConfig): EnglishState => ({
  auction,
  config,
  deadline: config.deadline,
  leader: undefined,
  seq: 0,
  outcome: undefined
})

/**
 * The smallest bid the auction accepts now.
 *
 * @since 0.1.0
 * @category utils
 */
export const englishMinimum = (state: EnglishState): bigint =>
  state.leader === undefined
    ? state.config.reserve > 0n
      ? state.config.reserve
      : 1n
    : state.leader.amount + state.config.increment

const reject = (state: EnglishState, error: EnglishError): Step<EnglishState, EnglishError> => ({
  state,
  outputs: [{ _tag: "Rejected", error }]
})

/**
 * One step of an English auction. `Take` is rejected (closed) — English auctions only take bids.
 *
 * @since 0.1.0
 * @category utils
 */
export const englishStep = (state: EnglishState, event: AuctionEvent): Step<EnglishState, EnglishError> => {
  const closed = state.outcome !== undefined || event.at >= state.deadline
  if (event._tag === "Close") {
    if (state.outcome !== undefined || event.at < state.deadline) return { state, outputs: [] }
    const leader = state.leader
    const outcome: Outcome = {
      award: leader === undefined ? undefined : { winner: leader.bidder, bid: leader.amount, payment: leader.amount }
    }
    return { state: { ...state, outcome }, outputs: [{ _tag: "Settled", outcome }] }
  }
  const at = event.at
  if (closed) return reject(state, new AuctionClosed({ auction: state.auction, at, deadline: state.deadline }))
  if (event._tag === "Take") return reject(state, new AuctionClosed({ auction: state.auction, at, deadline: at }))
  const { amount, bidder } = event
  if (amount < state.config.reserve) {
    return reject(state, new BelowReserve({ auction: state.auction, amount, reserve: state.config.reserve }))
  }
  const minimum = englishMinimum(state)
  if (amount < minimum) return reject(state, new BidTooLow({ auction: state.auction, amount, minimum }))
  invariant(state.leader === undefined || amount > state.leader.amount, "English bids must strictly increase")
  const outputs: Array<AuctionOutput<EnglishError>> = []
  if (state.leader !== undefined) outputs.push({ _tag: "Outbid", bidder: state.leader.bidder })
  outputs.push({ _tag: "Accepted", bidder, amount })
  let deadline = state.deadline
  const soft = state.config.softClose
  if (soft !== undefined && at >= state.deadline - soft.window) {
    const extended = Math.min(Math.max(state.deadline, at + soft.extension), Math.max(soft.latest, state.deadline))
    if (extended > deadline) {
      deadline = extended
      outputs.push({ _tag: "Extended", deadline })
    }
  }
  return {
    state: { ...state, deadline, leader: { bidder, amount, seq: state.seq }, seq: state.seq + 1 },
    outputs
  }
}

/**
 * The pure mechanism: feeds timed bids (in order) and closes at the final deadline. Rejected
 * bids are ignored.
 *
 * @example
 * ```ts
 * english("lot", { reserve: 10n, increment: 5n, deadline: 1000 },
 *   [{ bidder: "a", amount: 10n, at: 1 }, { bidder: "b", amount: 15n, at: 2 }])
 * // { award: { winner: "b", bid: 15n, payment: 15n } }
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const english = (
  auction: string,
  config: EnglishConfig,
  bids: ReadonlyArray<{ readonly bidder: string; readonly amount: bigint; readonly at: number }>
): Outcome => {
  let state = englishInit(auction, config)
  for (const bid of bids) state = englishStep(state, { _tag: "Bid", ...bid }).state
  const closed = englishStep(state, { _tag: "Close", at: state.deadline }).state
  invariant(closed.outcome !== undefined, "an English auction closes at its deadline")
  return closed.outcome
}
