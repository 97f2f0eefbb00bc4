/**
 * English auction with proxy bidding (eBay style) as a pure step function. A bid states the most
 * the bidder will pay (its maximum); the auction raises on its behalf.
 *
 * **The rule.** The leader is the bidder with the highest maximum; between equal maxima the
 * earliest one leads. The standing price is the opening price (`reserve`, at least 1) while only
 * one bidder has bid, else the second-highest maximum plus one `increment`, capped at the
 * leader's own maximum. A new bidder's maximum must reach the standing price plus the increment
 * (the opening price for the first bid); the leader may raise its own maximum at any time. At the
 * deadline the leader wins and pays the standing price. The price is thus the second-highest
 * value plus at most one increment: bidding one's true value is optimal up to one increment (with
 * `increment` 1, exactly).
 *
 * **Worked example** (reserve 10, increment 5): a bids a maximum of 50 (price 10); b bids 30
 * (a still leads, price 35); c bids 50 (ties a's maximum, a was earlier: a leads, price 50 capped
 * at a's 50); a raises to 80 (price 55: c's 50 plus one step, no longer capped); at the deadline
 * a wins and pays 55.
 *
 * Escrow: the leader's maximum is what it may owe, so `Accepted` carries the maximum; a bid that
 * does not take the lead emits nothing to escrow (it only moves the price).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { invariant } from "../../errors/Invariant.ts"
import { Amount, NonNegativeAmount } from "../money.ts"
import { AuctionClosed, BelowReserve, BidTooLow } from "./AuctionError.ts"
import type { EnglishError } from "./english.ts"
import type { AuctionEvent, AuctionOutput, Outcome, RankedBid, Step } from "./types.ts"

const Millis = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/**
 * Configuration of a proxy English auction. `deadline` is Clock milliseconds.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ProxyConfig = Schema.Struct({ reserve: NonNegativeAmount, increment: Amount, deadline: Millis })
/**
 * Configuration of a proxy English auction.
 *
 * @since 0.1.0
 * @category models
 */
export type ProxyConfig = typeof ProxyConfig.Type

/**
 * State of a proxy English auction. `leader.amount` is the leader's maximum.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProxyState {
  readonly auction: string
  readonly config: ProxyConfig
  readonly leader: RankedBid | undefined
  /** The highest maximum of everyone but the leader, `undefined` before a second bidder. */
  readonly second: bigint | undefined
  /** The standing price. */
  readonly price: bigint
  /** Bids accepted so far (leading or not). */
  readonly seq: number
  readonly outcome: Outcome | undefined
}

const opening = (config: ProxyConfig): bigint => (config.reserve > 0n ? config.reserve : 1n)

/**
 * A fresh proxy English auction named `auction`.
 *
 * @since 0.1.0
 * @category utils
 */
export const proxyInit = (auction: string, config: ProxyConfig): ProxyState => ({
  auction,
  config,
  leader: undefined,
  second: undefined,
  price: opening(config),
  seq: 0,
  outcome: undefined
})

/**
 * The smallest maximum a bidder other than the leader may state now.
 *
 * @since 0.1.0
 * @category utils
 */
export const proxyMinimum = (state: ProxyState): bigint =>
  state.leader === undefined ? opening(state.config) : state.price + state.config.increment

const priceOf = (config: ProxyConfig, leaderMax: bigint, second: bigint | undefined): bigint => {
  if (second === undefined) return opening(config)
  const raised = second + config.increment
  return raised < leaderMax ? raised : leaderMax
}

const reject = (state: ProxyState, error: EnglishError): Step<ProxyState, EnglishError> => ({
  state,
  outputs: [{ _tag: "Rejected", error }]
})

/**
 * One step of a proxy English auction (`Bid.amount` is the bidder's maximum). `Take` is rejected.
 *
 * @since 0.1.0
 * @category utils
 */
export const proxyStep = (state: ProxyState, event: AuctionEvent): Step<ProxyState, EnglishError> => {
  const deadline = state.config.deadline
  if (event._tag === "Close") {
    if (state.outcome !== undefined || event.at < deadline) return { state, outputs: [] }
    const leader = state.leader
    const outcome: Outcome = {
      award: leader === undefined ? undefined : { winner: leader.bidder, bid: leader.amount, payment: state.price }
    }
    return { state: { ...state, outcome }, outputs: [{ _tag: "Settled", outcome }] }
  }
  const at = event.at
  if (state.outcome !== undefined || at >= deadline) {
    return reject(state, new AuctionClosed({ auction: state.auction, at, deadline }))
  }
  if (event._tag === "Take") return reject(state, new AuctionClosed({ auction: state.auction, at, deadline: at }))
  const { amount, bidder } = event
  const { config, leader } = state
  if (amount < config.reserve)
    return reject(state, new BelowReserve({ auction: state.auction, amount, reserve: config.reserve }))
  const seq = state.seq + 1
  if (leader !== undefined && leader.bidder === bidder) {
    if (amount <= leader.amount)
      return reject(state, new BidTooLow({ auction: state.auction, amount, minimum: leader.amount + 1n }))
    return {
      state: { ...state, leader: { ...leader, amount }, price: priceOf(config, amount, state.second), seq },
      outputs: [{ _tag: "Accepted", bidder, amount }]
    }
  }
  const minimum = proxyMinimum(state)
  if (amount < minimum) return reject(state, new BidTooLow({ auction: state.auction, amount, minimum }))
  if (leader !== undefined && amount <= leader.amount) {
    // The leader's proxy answers: it keeps the lead and the price rises to this maximum plus one step.
    const second = state.second === undefined || amount > state.second ? amount : state.second
    return { state: { ...state, second, price: priceOf(config, leader.amount, second), seq }, outputs: [] }
  }
  const second = leader?.amount
  const outputs: Array<AuctionOutput<EnglishError>> = []
  if (leader !== undefined) outputs.push({ _tag: "Outbid", bidder: leader.bidder })
  outputs.push({ _tag: "Accepted", bidder, amount })
  const price = priceOf(config, amount, second)
  invariant(
    price <= amount && price >= opening(config),
    "the proxy price lies between the opening price and the leader's maximum"
  )
  return { state: { ...state, leader: { bidder, amount, seq: state.seq }, second, price, seq }, outputs }
}

/**
 * The pure mechanism: feeds the maxima in order (rejected ones are ignored) and closes at the
 * deadline. The doc example of the module, as code:
 *
 * @example
 * ```ts
 * proxyEnglish("lot", { reserve: 10n, increment: 5n, deadline: 1000 }, [
 *   { bidder: "a", amount: 50n, at: 1 }, { bidder: "b", amount: 30n, at: 2 },
 *   { bidder: "c", amount: 50n, at: 3 }, { bidder: "a", amount: 80n, at: 4 }])
 * // { award: { winner: "a", bid: 80n, payment: 55n } }
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const proxyEnglish = (
  auction: string,
  config: ProxyConfig,
  bids: ReadonlyArray<{ readonly bidder: string; readonly amount: bigint; readonly at: number }>
): Outcome => {
  let state = proxyInit(auction, config)
  for (const bid of bids) {
    // The step would reject these; skipping them spares building an error per ignored bid.
    if (bid.at >= config.deadline || bid.amount < config.reserve) continue
    const own = state.leader !== undefined && state.leader.bidder === bid.bidder
    if (own ? bid.amount <= state.leader!.amount : bid.amount < proxyMinimum(state)) continue
    state = proxyStep(state, { _tag: "Bid", bidder: bid.bidder, amount: bid.amount, at: bid.at }).state
  }
  const closed = proxyStep(state, { _tag: "Close", at: config.deadline }).state
  invariant(closed.outcome !== undefined, "a proxy English auction closes at its deadline")
  return closed.outcome
}
