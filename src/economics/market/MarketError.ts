/**
 * The tagged errors of the marketplace. A failed marketplace operation changes neither the book
 * nor the ledger.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * No resting order of this owner has this id (never placed, already filled, or cancelled).
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownOrder extends Schema.TaggedError<UnknownOrder>()("UnknownOrder", {
  market: Schema.String,
  order: Schema.Number,
  owner: Schema.String
}) {
  override get message(): string {
    return `market "${this.market}": no resting order ${this.order} of "${this.owner}"`
  }
}

/**
 * A bound of the marketplace was hit: the book of `market` already rests `limit` orders
 * (`what: "orders"`), or `limit` markets already exist (`what: "markets"`). The order is rejected whole.
 *
 * @since 0.1.0
 * @category errors
 */
export class MarketFull extends Schema.TaggedError<MarketFull>()("MarketFull", {
  market: Schema.String,
  what: Schema.Literals(["orders", "markets"]),
  limit: Schema.Number
}) {
  override get message(): string {
    return this.what === "orders"
      ? `market "${this.market}" already rests ${this.limit} orders`
      : `cannot open market "${this.market}": ${this.limit} markets already exist`
  }
}
