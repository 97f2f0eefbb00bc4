/**
 * Auction house: single-item auctions (`AuctionHouse`) and bundle auctions with VCG payments
 * (`CombinatorialHouse`) run live on Clock with escrow in the Ledger; the protocols are the pure
 * `liveStep` and `bundleStep`, ready to be driven by an agent.
 *
 * @since 0.1.0
 */
export * as Auctioneer from "./Auctioneer.ts"
export { AuctionHouse, type AuctionHouseOptions, type BidError, RECENT_SETTLED } from "./AuctionHouse.ts"
export { type AuctionListing, listingOf } from "./listing.ts"
export {
  type BundleAward,
  BundleBidInput,
  type BundleEvent,
  bundleInit,
  type BundleOutcome,
  type BundleOutput,
  BundleSpec,
  type BundleState,
  type BundleStep,
  bundleStep,
  type BundleStepError,
  mostOwed
} from "./bundle.ts"
export {
  type BundleBidError,
  type BundleListing,
  CombinatorialHouse,
  type CombinatorialHouseOptions
} from "./CombinatorialHouse.ts"
export {
  type LiveError,
  liveDeadline,
  liveInit,
  liveOutcome,
  type LiveState,
  type LiveStep,
  liveStep
} from "./machine.ts"
export { AuctionSpec, BidInput, DropInput, TakeInput } from "./schema.ts"
