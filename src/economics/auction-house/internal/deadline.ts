/**
 * What the live auction drivers share besides escrow: finding an open auction by id, and the
 * timer fiber that closes an auction at its (possibly extended) deadline.
 *
 * Internal: only files under `src/economics/auction-house/` may import this.
 */
import { Clock, Duration, Effect } from "effect"
import { AuctionClosed, UnknownAuction } from "../../auctions/index.ts"

/**
 * The open auction `auction` of `open`; `AuctionClosed` if it has settled, however it ended
 * (`closedAt` gives when, in Clock ms, and whether its settlement failed, for the settled auctions
 * the house still remembers), else `UnknownAuction`.
 *
 * @since 0.1.0
 * @category utils
 */
export const findOpen =
  <E>(
    open: ReadonlyMap<string, E>,
    closedAt: (auction: string) => { readonly at: number; readonly failed: boolean } | undefined
  ) =>
  (auction: string): Effect.Effect<E, UnknownAuction | AuctionClosed> =>
    Effect.suspend((): Effect.Effect<E, UnknownAuction | AuctionClosed> => {
      const entry = open.get(auction)
      if (entry !== undefined) return Effect.succeed(entry)
      const closed = closedAt(auction)
      if (closed === undefined) return Effect.fail(new UnknownAuction({ auction }))
      return Effect.flatMap(Clock.currentTimeMillis, (at) =>
        Effect.fail(
          new AuctionClosed(
            closed.failed ? { auction, at, deadline: closed.at, failed: true } : { auction, at, deadline: closed.at }
          )
        )
      )
    })

/**
 * Sleeps until `deadline()` (read again after every wake-up, as a bid may extend it), then runs
 * `close(now)`, until `settled()`. When a deadline can also move earlier (an ascending clock ends
 * sooner after a drop-out), `moved` completes to wake the sleeper early.
 *
 * @since 0.1.0
 * @category utils
 */
export const closeAtDeadline = (options: {
  readonly settled: () => boolean
  readonly deadline: () => number
  readonly close: (now: number) => Effect.Effect<void>
  readonly moved?: Effect.Effect<void>
}): Effect.Effect<void> =>
  Effect.gen(function* () {
    while (!options.settled()) {
      const now = yield* Clock.currentTimeMillis
      const deadline = options.deadline()
      if (now >= deadline) yield* options.close(now)
      else {
        const sleep = Effect.sleep(Duration.millis(deadline - now))
        yield* options.moved === undefined ? sleep : Effect.raceFirst(sleep, options.moved)
      }
    }
  })
