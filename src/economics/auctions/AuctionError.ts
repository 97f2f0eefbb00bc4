/**
 * The tagged errors of auctions: rejected bids, closed or unknown auctions, and the limits of
 * exact winner determination.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A bid (or take) below the auction's reserve price.
 *
 * @since 0.1.0
 * @category errors
 */
export class BelowReserve extends Schema.TaggedError<BelowReserve>()("BelowReserve", {
  auction: Schema.String,
  amount: Schema.BigInt,
  reserve: Schema.BigInt
}) {
  override get message(): string {
    return `auction "${this.auction}": bid ${this.amount} is below the reserve ${this.reserve}`
  }
}

/**
 * An English bid that does not beat the standing bid by the minimum increment.
 *
 * @since 0.1.0
 * @category errors
 */
export class BidTooLow extends Schema.TaggedError<BidTooLow>()("BidTooLow", {
  auction: Schema.String,
  amount: Schema.BigInt,
  minimum: Schema.BigInt
}) {
  override get message(): string {
    return `auction "${this.auction}": bid ${this.amount} is below the minimum ${this.minimum}`
  }
}

/**
 * The auction no longer accepts bids or takes: its deadline has passed, or it was settled (a Dutch
 * lot already sold, a sealed auction full) — whichever way the settlement ended. `deadline` is when
 * it closed (Clock ms), `at` when the rejected operation came; `failed` is `true` when its
 * settlement failed (the escrow was returned and `outcome` fails).
 *
 * @since 0.1.0
 * @category errors
 */
export class AuctionClosed extends Schema.TaggedError<AuctionClosed>()("AuctionClosed", {
  auction: Schema.String,
  at: Schema.Number,
  deadline: Schema.Number,
  failed: Schema.optionalKey(Schema.Boolean)
}) {
  override get message(): string {
    const ended = this.failed === true ? " but its settlement failed (escrow returned)," : ""
    return (
      `auction "${this.auction}" closed at ${this.deadline} ms${ended} and accepts no more bids or takes ` +
      `(this one came at ${this.at} ms); read its result with outcome("${this.auction}")`
    )
  }
}

/**
 * No auction has this id: it was never opened here, or it settled so long ago that its result was
 * forgotten (a house remembers its last 10 000 settled auctions).
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownAuction extends Schema.TaggedError<UnknownAuction>()("UnknownAuction", {
  auction: Schema.String
}) {
  override get message(): string {
    return `auction "${this.auction}" does not exist: check the id, or list the open auctions`
  }
}

/**
 * A `drop` from a bidder that is not in the ascending-clock auction (never joined, or already out).
 *
 * @since 0.1.0
 * @category errors
 */
export class NotBidding extends Schema.TaggedError<NotBidding>()("NotBidding", {
  auction: Schema.String,
  bidder: Schema.String
}) {
  override get message(): string {
    return (
      `auction "${this.auction}": "${this.bidder}" is not bidding, so it cannot drop out; ` +
      `join with a bid before the clock starts`
    )
  }
}

/**
 * A sealed-bid auction accepts one bid per bidder.
 *
 * @since 0.1.0
 * @category errors
 */
export class DuplicateBid extends Schema.TaggedError<DuplicateBid>()("DuplicateBid", {
  auction: Schema.String,
  bidder: Schema.String
}) {
  override get message(): string {
    return `auction "${this.auction}": "${this.bidder}" has already bid`
  }
}

/**
 * The operation does not exist for this kind of auction (e.g. `take` on an English auction).
 *
 * @since 0.1.0
 * @category errors
 */
export class WrongAuctionKind extends Schema.TaggedError<WrongAuctionKind>()("WrongAuctionKind", {
  auction: Schema.String,
  kind: Schema.String,
  operation: Schema.String
}) {
  override get message(): string {
    return `auction "${this.auction}" is ${this.kind}; it does not support ${this.operation}`
  }
}

/**
 * Exact winner determination gave up: the instance is beyond the configured limits.
 *
 * @since 0.1.0
 * @category errors
 */
export class SearchLimitExceeded extends Schema.TaggedError<SearchLimitExceeded>()("SearchLimitExceeded", {
  limit: Schema.String,
  value: Schema.Number,
  maximum: Schema.Number
}) {
  override get message(): string {
    return `winner determination: ${this.limit} is ${this.value}, the limit is ${this.maximum}`
  }
}

/**
 * `AuctionHouse.open` was called with an id already in use.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuctionExists extends Schema.TaggedError<AuctionExists>()("AuctionExists", {
  auction: Schema.String
}) {
  override get message(): string {
    return `auction "${this.auction}" already exists`
  }
}

/**
 * An auction service already runs `limit` auctions at once; wait for one to settle.
 *
 * @since 0.1.0
 * @category errors
 */
export class TooManyAuctions extends Schema.TaggedError<TooManyAuctions>()("TooManyAuctions", {
  auction: Schema.String,
  limit: Schema.Number
}) {
  override get message(): string {
    return `cannot open auction "${this.auction}": ${this.limit} auctions are already open`
  }
}

/**
 * The auction closed but its settlement failed (the ledger refused a capture or release): the
 * auction is listed as `failed`, every hold still in escrow was returned to its bidder, and
 * `outcome` fails with this error instead of an award.
 *
 * @since 0.1.0
 * @category errors
 */
export class SettlementFailed extends Schema.TaggedError<SettlementFailed>()("SettlementFailed", {
  auction: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `auction "${this.auction}" closed but its settlement failed (escrow returned): ${this.reason}`
  }
}
