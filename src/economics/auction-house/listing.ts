/**
 * The read-only view of a live auction that `AuctionHouse.list` returns: what an operator, the
 * dashboard or `mabeam inspect` may see without taking part. Sealed bids stay secret: only their
 * number is shown.
 *
 * @since 0.1.0
 */
import { type Award, clockPrice, dutchPrice } from "../auctions/index.ts"
import { liveDeadline, liveOutcome, type LiveState } from "./machine.ts"
import type { AuctionSpec } from "./schema.ts"

/**
 * One auction as `AuctionHouse.list` shows it. Amounts are minor units, times Clock ms.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuctionListing {
  readonly id: string
  readonly kind: AuctionSpec["kind"]
  readonly seller: string
  readonly reserve: bigint
  /** Bids accepted so far (for sealed kinds the count only; a Dutch auction counts its take). */
  readonly bids: number
  /**
   * The price one can see: the leading bid of an English auction, the standing price of a proxy
   * one (maxima stay secret), the current clock price of an open Dutch or ascending-clock one;
   * `undefined` for sealed kinds and for an English auction without bids.
   */
  readonly price: bigint | undefined
  /** When it closes (or closed); soft close may have moved it. */
  readonly deadline: number
  /**
   * `open` until it settles; `settled` entries carry the award (`undefined` when unsold);
   * `failed` when its settlement failed and the escrow was returned.
   */
  readonly status: "open" | "settled" | "failed"
  readonly award: Award | undefined
}

const bidCount = (live: LiveState): number => {
  switch (live.kind) {
    case "english":
    case "english-proxy":
    case "english-clock":
      return live.state.seq
    case "dutch":
      return live.state.outcome?.award === undefined ? 0 : 1
    default:
      return live.state.bids.length
  }
}

const visiblePrice = (live: LiveState, now: number): bigint | undefined => {
  switch (live.kind) {
    case "english":
      return live.state.leader?.amount
    case "english-proxy":
      return live.state.leader === undefined ? undefined : (live.state.outcome?.award?.payment ?? live.state.price)
    case "english-clock":
      return live.state.outcome === undefined ? clockPrice(live.state.config, now) : live.state.outcome.award?.payment
    case "dutch":
      return live.state.outcome === undefined ? dutchPrice(live.state.config, now) : live.state.outcome.award?.payment
    default:
      return undefined
  }
}

/**
 * The listing of the auction `spec` in state `live`, seen at `now`.
 *
 * @since 0.1.0
 * @category utils
 */
export const listingOf = (spec: AuctionSpec, live: LiveState, now: number): AuctionListing => {
  const outcome = liveOutcome(live)
  return {
    id: spec.id,
    kind: spec.kind,
    seller: spec.seller,
    reserve: spec.reserve,
    bids: bidCount(live),
    price: visiblePrice(live, now),
    deadline: liveDeadline(live),
    status: outcome === undefined ? "open" : "settled",
    award: outcome?.award
  }
}
