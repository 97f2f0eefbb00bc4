/**
 * Ascending-clock (Japanese) English auction as a pure step function.
 *
 * **The rule.** Bidders join before the clock starts with a bid whose amount is their limit (the
 * most they will pay; a live house escrows it); a joined bidder may raise its limit at any time.
 * From `start` the clock price is `reserve` and rises by `increment` every `tick` ms until
 * `deadline`. A bidder is out once it drops (`Drop`) or the price passes its limit. The auction
 * ends as soon as at most one bidder is in: that last bidder wins and pays the clock price at
 * that moment. If the last bidders are all passed at the same tick, the highest limit among them
 * wins (the earliest to join between equal limits) at the last price they all accepted (one
 * increment less). If the clock reaches `deadline` with several bidders in, the highest limit
 * (then the earliest) wins at the clock price then. A lone bidder at `start` wins at `reserve`;
 * nobody joining means no sale. Entry closes when the clock starts.
 *
 * **Worked example** (reserve 10, increment 5, tick 1 s, clock from 1 s): a joins with limit 40,
 * b with 32, c with 25. At 3.5 s b drops out (price 20). At 5 s the price is 30, past c's limit:
 * a is the last one in and pays 30.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { invariant } from "../../errors/Invariant.ts"
import { Amount } from "../money.ts"
import { AuctionClosed, BelowReserve, BidTooLow, NotBidding } from "./AuctionError.ts"
import type { AuctionEvent, Outcome, RankedBid, Step } from "./types.ts"

const Millis = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/**
 * Configuration of an ascending-clock auction. `start` and `deadline` are Clock milliseconds.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClockConfig = Schema.Struct({
  reserve: Amount,
  increment: Amount,
  tick: Millis.check(Schema.isGreaterThan(0)),
  start: Millis,
  deadline: Millis
})
/**
 * Configuration of an ascending-clock auction.
 *
 * @since 0.1.0
 * @category models
 */
export type ClockConfig = typeof ClockConfig.Type

/**
 * What an ascending-clock auction is fed: the single-item events and drop-outs.
 *
 * @since 0.1.0
 * @category models
 */
export type ClockEvent = AuctionEvent | { readonly _tag: "Drop"; readonly bidder: string; readonly at: number }

/**
 * Errors an ascending-clock step can reject with.
 *
 * @since 0.1.0
 * @category models
 */
export type ClockError = BelowReserve | BidTooLow | AuctionClosed | NotBidding

/**
 * State of an ascending-clock auction: the bidders still in (join order), each with its limit.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClockState {
  readonly auction: string
  readonly config: ClockConfig
  readonly bidders: ReadonlyArray<RankedBid>
  readonly seq: number
  readonly outcome: Outcome | undefined
  /** When it ended (Clock ms), once settled. */
  readonly closedAt: number | undefined
}

/**
 * A fresh ascending-clock auction named `auction`.
 *
 * @since 0.1.0
 * @category utils
 */
export const clockInit = (auction: string, config: ClockConfig): ClockState => ({
  auction,
  config,
  bidders: [],
  seq: 0,
  outcome: undefined,
  closedAt: undefined
})

/**
 * The clock price at `at` (Clock ms): `reserve` until `start`, frozen from `deadline`.
 *
 * @since 0.1.0
 * @category utils
 */
export const clockPrice = (config: ClockConfig, at: number): bigint => {
  const t = Math.min(at, config.deadline)
  if (t < config.start) return config.reserve
  return config.reserve + config.increment * BigInt(Math.floor((t - config.start) / config.tick))
}

// Best first: higher limit, then earlier join.
const byLimit = (x: RankedBid, y: RankedBid): number =>
  x.amount === y.amount ? x.seq - y.seq : x.amount > y.amount ? -1 : 1

/**
 * When the auction ends if nobody drops or joins any more (Clock ms).
 *
 * @since 0.1.0
 * @category utils
 */
export const clockEnd = (state: ClockState): number => {
  const { config } = state
  if (state.bidders.length <= 1) return config.start
  const second = [...state.bidders].sort(byLimit)[1]!.amount
  // The first tick whose price passes the second-highest limit.
  const ticks = (second - config.reserve) / config.increment + 1n
  const end = config.start + Number(ticks) * config.tick
  return Math.min(end, config.deadline)
}

const settleAt = (state: ClockState, at: number): Step<ClockState, ClockError> => {
  const price = clockPrice(state.config, at)
  const ranked = [...state.bidders].sort(byLimit)
  const top = ranked[0]
  let outcome: Outcome
  if (top === undefined) outcome = { award: undefined }
  else {
    // Everyone passed at the same tick: the best of them pays the last price they all accepted.
    const payment = top.amount >= price ? price : price - state.config.increment
    invariant(payment <= top.amount && payment >= state.config.reserve, "the clock winner pays within its limit")
    outcome = { award: { winner: top.bidder, bid: top.amount, payment } }
  }
  return { state: { ...state, outcome, closedAt: at }, outputs: [{ _tag: "Settled", outcome }] }
}

const reject = (state: ClockState, error: ClockError): Step<ClockState, ClockError> => ({
  state,
  outputs: [{ _tag: "Rejected", error }]
})

/**
 * One step of an ascending-clock auction: `Bid` joins or raises a limit, `Drop` leaves, `Close` settles once over.
 *
 * @since 0.1.0
 * @category utils
 */
export const clockStep = (state: ClockState, event: ClockEvent): Step<ClockState, ClockError> => {
  const end = clockEnd(state)
  if (event._tag === "Close") {
    if (state.outcome !== undefined || event.at < end) return { state, outputs: [] }
    return settleAt(state, end)
  }
  const { at } = event
  if (state.outcome !== undefined || at >= end) {
    return reject(state, new AuctionClosed({ auction: state.auction, at, deadline: end }))
  }
  if (event._tag === "Take") return reject(state, new AuctionClosed({ auction: state.auction, at, deadline: at }))
  const { auction, config } = state
  const index = state.bidders.findIndex((b) => b.bidder === event.bidder)
  if (event._tag === "Drop") {
    if (index < 0 || state.bidders[index]!.amount < clockPrice(config, at)) {
      return reject(state, new NotBidding({ auction, bidder: event.bidder }))
    }
    const bidders = state.bidders.filter((_, i) => i !== index)
    const next: ClockState = { ...state, bidders }
    const step = at >= config.start && bidders.length <= 1 ? settleAt(next, at) : { state: next, outputs: [] }
    return { state: step.state, outputs: [{ _tag: "Outbid", bidder: event.bidder }, ...step.outputs] }
  }
  const { amount, bidder } = event
  if (index >= 0) {
    const limit = state.bidders[index]!.amount
    if (amount <= limit) return reject(state, new BidTooLow({ auction, amount, minimum: limit + 1n }))
    const bidders = state.bidders.map((b, i) => (i === index ? { ...b, amount } : b))
    return { state: { ...state, bidders, seq: state.seq + 1 }, outputs: [{ _tag: "Accepted", bidder, amount }] }
  }
  if (at >= config.start) return reject(state, new AuctionClosed({ auction, at, deadline: config.start }))
  if (amount < config.reserve) return reject(state, new BelowReserve({ auction, amount, reserve: config.reserve }))
  return {
    state: { ...state, bidders: [...state.bidders, { bidder, amount, seq: state.seq }], seq: state.seq + 1 },
    outputs: [{ _tag: "Accepted", bidder, amount }]
  }
}

/**
 * The pure mechanism: feeds timed joins (`Bid`, amount = limit) and drop-outs in order (rejected
 * ones are ignored) and lets the clock run out. The module's worked example, as code:
 *
 * @example
 * ```ts
 * clockEnglish("lot", { reserve: 10n, increment: 5n, tick: 1000, start: 1000, deadline: 60_000 }, [
 *   { _tag: "Bid", bidder: "a", amount: 40n, at: 0 }, { _tag: "Bid", bidder: "b", amount: 32n, at: 0 },
 *   { _tag: "Bid", bidder: "c", amount: 25n, at: 0 }, { _tag: "Drop", bidder: "b", at: 3500 }])
 * // { award: { winner: "a", bid: 40n, payment: 30n } }
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const clockEnglish = (
  auction: string,
  config: ClockConfig,
  events: ReadonlyArray<Exclude<ClockEvent, { _tag: "Close" | "Take" }>>
): Outcome => {
  let state = clockInit(auction, config)
  for (const event of events) state = clockStep(state, event).state
  const closed = clockStep(state, { _tag: "Close", at: Math.max(clockEnd(state), config.deadline) }).state
  invariant(closed.outcome !== undefined, "an ascending-clock auction ends by its deadline")
  return closed.outcome
}
