/**
 * Auction house: single-item auctions run live on Clock with escrow in the Ledger; the protocol
 * is the pure `liveStep`, ready to be driven by an agent.
 *
 * @since 0.1.0
 */
export { AuctionHouse, type BidError } from "./AuctionHouse.ts"
export { type LiveError, liveDeadline, liveInit, liveOutcome, type LiveState, type LiveStep, liveStep } from "./machine.ts"
export { AuctionSpec, BidInput, TakeInput } from "./schema.ts"
