/**
 * Auctions: pure mechanisms (bids in, allocation and payments out) and their step functions for
 * live drivers. English (bid-driven, proxy and ascending-clock), Dutch, sealed first-price, Vickrey, and combinatorial with exact winner
 * determination and VCG payments.
 *
 * @since 0.1.0
 */
export {
  AuctionClosed,
  AuctionExists,
  SettlementFailed,
  BelowReserve,
  BidTooLow,
  DuplicateBid,
  NotBidding,
  SearchLimitExceeded,
  TooManyAuctions,
  UnknownAuction,
  WrongAuctionKind
} from "./AuctionError.ts"
export { dutch, DutchConfig, dutchInit, dutchPrice, type DutchState, dutchStep } from "./dutch.ts"
export {
  english,
  EnglishConfig,
  type EnglishError,
  englishInit,
  englishMinimum,
  type EnglishState,
  englishStep
} from "./english.ts"
export {
  clockEnd,
  ClockConfig,
  clockEnglish,
  type ClockError,
  type ClockEvent,
  clockInit,
  clockPrice,
  type ClockState,
  clockStep
} from "./englishClock.ts"
export { ProxyConfig, proxyEnglish, proxyInit, proxyMinimum, type ProxyState, proxyStep } from "./englishProxy.ts"
export { firstPrice } from "./firstPrice.ts"
export { SealedConfig, type SealedError, sealedInit, type SealedState, sealedStep } from "./sealed.ts"
export {
  type Award,
  Bid,
  type AuctionEvent,
  type AuctionOutput,
  compareBids,
  type Outcome,
  type RankedBid,
  rankSealed,
  SealedInput,
  type Step
} from "./types.ts"
export { vickrey } from "./vickrey.ts"
export {
  type Allocation,
  BundleBid,
  CombinatorialInput,
  type SearchOptions,
  vcg,
  type VcgOutcome,
  winnerDetermination
} from "./combinatorial.ts"
