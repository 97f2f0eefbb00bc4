/**
 * Schemas of what crosses the marketplace's boundary.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { AccountId } from "../money.ts"
import { Order } from "./orderBook.ts"

const MarketId = Schema.String.check(Schema.isBetweenLength(1, 128))

/**
 * Input of `Marketplace.submit`: a limit order on the named market (one book per task or resource
 * kind). With `immediate: true` it is immediate-or-cancel: what does not fill at once is dropped.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SubmitInput = Schema.Struct({
  market: MarketId,
  ...Order.fields,
  immediate: Schema.optionalKey(Schema.Boolean)
})
/**
 * Input of `Marketplace.submit`.
 *
 * @since 0.1.0
 * @category models
 */
export type SubmitInput = typeof SubmitInput.Type

/**
 * Input of `Marketplace.cancel`: only the order's owner may cancel it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CancelInput = Schema.Struct({
  market: MarketId,
  order: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  owner: AccountId
})
/**
 * Input of `Marketplace.cancel`.
 *
 * @since 0.1.0
 * @category models
 */
export type CancelInput = typeof CancelInput.Type
