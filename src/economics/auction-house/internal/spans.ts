/**
 * What the live auction houses put on their spans (`mabeam.auction.<operation>`).
 *
 * Internal: only files under `src/economics/auction-house/` may import this.
 */
import { argument } from "../../../telemetry/index.ts"

/**
 * The attributes of one call to a house: the auction's id (`open` takes a spec with `id`, the
 * other operations an input with `auction`) and, for a bid, the bidder.
 *
 * @since 0.1.0
 * @category utils
 */
export const describeAuctionCall = (operation: string, args: ReadonlyArray<unknown>) => {
  const bidder = operation === "open" ? undefined : argument(args, "bidder")
  return {
    "mabeam.auction.id": argument(args, operation === "open" ? "id" : "auction") ?? "",
    ...(bidder === undefined ? {} : { "mabeam.auction.bidder": bidder })
  }
}
