/**
 * Marketplace: price-time priority order books for tasks and resources — the pure matching, and
 * the `Marketplace` service that escrows buy orders in the Ledger and settles fills through it —
 * and dynamic pricing from recent clearing prices and utilisation.
 *
 * @since 0.1.0
 */
export { MarketFull, UnknownOrder } from "./MarketError.ts"
export {
  type MarketFill,
  Marketplace,
  type MarketplaceOptions,
  type SubmitError,
  type Submission
} from "./Marketplace.ts"
export {
  cancel,
  emptyBook,
  type Fill,
  Order,
  type OrderBook,
  type Resting,
  submit,
  type Submitted
} from "./orderBook.ts"
export { observeTrade, type PriceState, PricingConfig, pricingInit, quote } from "./pricing.ts"
export { CancelInput, SubmitInput } from "./schema.ts"
