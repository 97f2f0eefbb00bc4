/**
 * A live combinatorial auction as a pure step function: bundle bids are collected until the
 * deadline, then winner determination and VCG payments run once. A driver (the
 * `CombinatorialHouse`) feeds it events and performs its outputs: escrow on `Accepted`, capture
 * and release on `Settled`.
 *
 * Escrow rule: bids are XOR per bidder (it wins at most one), and VCG never charges more than the
 * winning bid, so a bidder's escrow is the largest amount it has bid. `Accepted.escrow` is that
 * total; the driver holds only the difference to what it already holds.
 *
 * @since 0.1.0
 */
import { Result, Schema } from "effect"
import { InvalidInput } from "../../errors/index.ts"
import { AuctionClosed, SearchLimitExceeded } from "../auctions/AuctionError.ts"
import { type BundleBid, vcg } from "../auctions/combinatorial.ts"
import { invariant } from "../../errors/Invariant.ts"
import { AccountId, Amount } from "../money.ts"

const Id = Schema.String.check(Schema.isBetweenLength(1, 128))
const ItemId = Schema.String.check(Schema.isBetweenLength(1, 128))

/**
 * A combinatorial auction: `items` on sale for `duration` ms, at most `maxBids` bids (default
 * 500, at most 10 000), winner determination limited to `maxNodes` search nodes (default 2 000 000).
 *
 * @since 0.1.0
 * @category schemas
 */
export const BundleSpec = Schema.Struct({
  id: Id,
  seller: AccountId,
  items: Schema.Array(ItemId).check(Schema.isBetweenLength(1, 256)),
  duration: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 365 * 24 * 3600 * 1000 })),
  maxBids: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10_000 }))),
  maxNodes: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100_000_000 })))
})
/**
 * A combinatorial auction.
 *
 * @since 0.1.0
 * @category models
 */
export type BundleSpec = typeof BundleSpec.Type

/**
 * Input of `CombinatorialHouse.bid`: a bid on a bundle of the auction's items; `xor` groups the
 * bidder's exclusive bids (no label: all unlabeled bids of the bidder are exclusive — XOR; a label
 * per bid — OR; shared labels — OR-of-XOR; see `Auctions.BundleBid`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const BundleBidInput = Schema.Struct({
  auction: Id,
  bidder: AccountId,
  items: Schema.Array(ItemId).check(Schema.isBetweenLength(1, 64)),
  amount: Amount,
  xor: Schema.optionalKey(Schema.String.check(Schema.isBetweenLength(1, 128)))
})
/**
 * Input of `CombinatorialHouse.bid`.
 *
 * @since 0.1.0
 * @category models
 */
export type BundleBidInput = typeof BundleBidInput.Type

/**
 * One winning bidder: what it won (the union of its winning bundles), the sum of its winning bids and its VCG payment.
 *
 * @since 0.1.0
 * @category models
 */
export interface BundleAward {
  readonly bidder: string
  readonly items: ReadonlyArray<string>
  readonly bid: bigint
  readonly payment: bigint
}

/**
 * A settled combinatorial auction: the awards (possibly none) and the declared welfare.
 *
 * @since 0.1.0
 * @category models
 */
export interface BundleOutcome {
  readonly awards: ReadonlyArray<BundleAward>
  readonly welfare: bigint
}

/**
 * Every error a bundle bid can be rejected with by the step.
 *
 * @since 0.1.0
 * @category models
 */
export type BundleStepError = AuctionClosed | SearchLimitExceeded | InvalidInput

/**
 * The state of one live combinatorial auction.
 *
 * @since 0.1.0
 * @category models
 */
export interface BundleState {
  readonly spec: BundleSpec
  readonly deadline: number
  readonly bids: ReadonlyArray<BundleBid>
  readonly total: bigint
  readonly result: Result.Result<BundleOutcome, SearchLimitExceeded> | undefined
}

/**
 * An event of a live combinatorial auction. Times are Clock milliseconds.
 *
 * @since 0.1.0
 * @category models
 */
export type BundleEvent =
  | { readonly _tag: "Bid"; readonly bid: BundleBid; readonly at: number }
  | { readonly _tag: "Close"; readonly at: number }

/**
 * What a step asks its driver to do.
 *
 * @since 0.1.0
 * @category models
 */
export type BundleOutput =
  | { readonly _tag: "Accepted"; readonly bidder: string; readonly escrow: bigint }
  | { readonly _tag: "Rejected"; readonly error: BundleStepError }
  | { readonly _tag: "Settled"; readonly result: Result.Result<BundleOutcome, SearchLimitExceeded> }

/**
 * The result of one step.
 *
 * @since 0.1.0
 * @category models
 */
export interface BundleStep {
  readonly state: BundleState
  readonly outputs: ReadonlyArray<BundleOutput>
}

/**
 * The initial state of `spec`, opened at `now`.
 *
 * @since 0.1.0
 * @category utils
 */
export const bundleInit = (spec: BundleSpec, now: number): BundleState => ({
  spec,
  deadline: now + spec.duration,
  bids: [],
  total: 0n,
  result: undefined
})

/**
 * The most `bidder` can owe under its bid language: VCG never charges more than the winning bids,
 * and at most one bid per XOR group wins, so the sum over its groups of each group's largest bid.
 *
 * @since 0.1.0
 * @category utils
 */
export const mostOwed = (bids: ReadonlyArray<BundleBid>, bidder: string): bigint => {
  const largest = new Map<string, bigint>()
  for (const bid of bids) {
    if (bid.bidder !== bidder) continue
    const group = bid.xor ?? ""
    if (bid.amount > (largest.get(group) ?? 0n)) largest.set(group, bid.amount)
  }
  let sum = 0n
  for (const amount of largest.values()) sum += amount
  return sum
}

const reject = (state: BundleState, error: BundleStepError): BundleStep => ({
  state,
  outputs: [{ _tag: "Rejected", error }]
})

const settle = (state: BundleState): Result.Result<BundleOutcome, SearchLimitExceeded> => {
  const options = state.spec.maxNodes === undefined ? {} : { maxNodes: state.spec.maxNodes }
  return Result.map(vcg({ items: state.spec.items, bids: state.bids }, options), (outcome) => {
    const awards = outcome.payments.map(({ bidder, bids, payment }) => {
      const won = bids.map((bid) => state.bids[bid]!)
      const amount = won.reduce((sum, bid) => sum + bid.amount, 0n)
      invariant(payment >= 0n && payment <= amount, `VCG payment ${payment} of "${bidder}" out of range`)
      return { bidder, items: won.flatMap((bid) => bid.items), bid: amount, payment }
    })
    return { awards, welfare: outcome.allocation.welfare }
  })
}

/**
 * One step. A bid is accepted before the deadline (`at < deadline`) if the auction has room
 * (`maxBids`, else `AuctionClosed`), every item is on sale (else `InvalidInput`) and the sum of
 * all bids stays a safe integer (else `SearchLimitExceeded`, so one huge bid cannot void the
 * auction). `Close` at or after the deadline settles once; an early `Close` does nothing.
 *
 * @since 0.1.0
 * @category utils
 */
export const bundleStep = (state: BundleState, event: BundleEvent): BundleStep => {
  const { spec } = state
  if (event._tag === "Close") {
    if (state.result !== undefined || event.at < state.deadline) return { state, outputs: [] }
    const result = settle(state)
    return { state: { ...state, result }, outputs: [{ _tag: "Settled", result }] }
  }
  if (state.result !== undefined || event.at >= state.deadline || state.bids.length >= (spec.maxBids ?? 500)) {
    return reject(state, new AuctionClosed({ auction: spec.id, at: event.at, deadline: state.deadline }))
  }
  const missing = event.bid.items.find((item) => !spec.items.includes(item))
  if (missing !== undefined) {
    return reject(
      state,
      new InvalidInput({ where: "CombinatorialHouse.bid", issue: `item "${missing}" is not on sale` })
    )
  }
  const total = state.total + event.bid.amount
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) {
    return reject(
      state,
      new SearchLimitExceeded({ limit: "sum of bid amounts", value: Number(total), maximum: Number.MAX_SAFE_INTEGER })
    )
  }
  const escrow = mostOwed([...state.bids, event.bid], event.bid.bidder)
  return {
    state: { ...state, bids: [...state.bids, event.bid], total },
    outputs: [{ _tag: "Accepted", bidder: event.bid.bidder, escrow }]
  }
}
