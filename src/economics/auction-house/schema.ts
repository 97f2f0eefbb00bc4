/**
 * Schemas of what crosses the auction house's boundary. Durations are milliseconds from `open`.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { AccountId, Amount, NonNegativeAmount } from "../money.ts"

const Id = Schema.String.check(Schema.isBetweenLength(1, 128))
const Millis = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 365 * 24 * 3600 * 1000 }))

/**
 * What to auction and how. `seller` is the ledger account that receives the payment.
 *
 * The English variants: `english` (bid-driven: each bid beats the standing one by `increment`,
 * the winner pays its own last bid), `english-proxy` (bids are maxima, the winner pays the
 * second-highest maximum plus `increment`, see `proxyStep`) and `english-clock` (bidders join
 * within `entry` ms with a limit, then the price rises by `increment` every `tick` ms and the last
 * bidder in pays the clock price, see `clockStep`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuctionSpec = Schema.Union([
  Schema.Struct({
    kind: Schema.Literal("english"),
    id: Id,
    seller: AccountId,
    reserve: NonNegativeAmount,
    increment: Amount,
    duration: Millis,
    softClose: Schema.optionalKey(Schema.Struct({ window: Millis, extension: Millis, maxDuration: Millis }))
  }),
  Schema.Struct({
    kind: Schema.Literal("english-proxy"),
    id: Id,
    seller: AccountId,
    reserve: NonNegativeAmount,
    increment: Amount,
    duration: Millis
  }),
  Schema.Struct({
    kind: Schema.Literal("english-clock"),
    id: Id,
    seller: AccountId,
    reserve: Amount,
    increment: Amount,
    tick: Millis,
    entry: Millis,
    duration: Millis
  }).check(Schema.makeFilter((spec) => spec.entry < spec.duration || "entry must end before the duration")),
  Schema.Struct({
    kind: Schema.Literal("dutch"),
    id: Id,
    seller: AccountId,
    startPrice: Amount,
    decrement: Amount,
    tick: Millis,
    reserve: Amount,
    duration: Millis
  }),
  Schema.Struct({
    kind: Schema.Literals(["first-price", "second-price"]),
    id: Id,
    seller: AccountId,
    reserve: NonNegativeAmount,
    duration: Millis,
    maxBids: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100_000 })))
  })
])
/**
 * What to auction and how.
 *
 * @since 0.1.0
 * @category models
 */
export type AuctionSpec = typeof AuctionSpec.Type

/**
 * Input of `AuctionHouse.bid`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BidInput = Schema.Struct({ auction: Id, bidder: AccountId, amount: Amount })
/**
 * Input of `AuctionHouse.bid`.
 *
 * @since 0.1.0
 * @category models
 */
export type BidInput = typeof BidInput.Type

/**
 * Input of `AuctionHouse.drop` (ascending-clock auctions).
 *
 * @since 0.1.0
 * @category schemas
 */
export const DropInput = Schema.Struct({ auction: Id, bidder: AccountId })
/**
 * Input of `AuctionHouse.drop`.
 *
 * @since 0.1.0
 * @category models
 */
export type DropInput = typeof DropInput.Type

/**
 * Input of `AuctionHouse.take` (Dutch auctions).
 *
 * @since 0.1.0
 * @category schemas
 */
export const TakeInput = Schema.Struct({ auction: Id, bidder: AccountId })
/**
 * Input of `AuctionHouse.take`.
 *
 * @since 0.1.0
 * @category models
 */
export type TakeInput = typeof TakeInput.Type
