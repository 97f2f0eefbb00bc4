/**
 * The auction house: runs single-item auctions live on `Clock` — deadlines, soft close, Dutch
 * price clocks — with every bid escrowed in the `Ledger` until the auction settles.
 *
 * The protocol itself is the pure `liveStep` (machine.ts); this service is its thin driver. Each
 * event runs under the auction's lock and uninterruptibly: the step is computed, the bidder's
 * escrow is taken (failing with `InsufficientFunds` leaves the auction unchanged), then the new
 * state is committed and the step's outputs performed (release outbid escrow; on settlement,
 * capture the winner's payment for the seller and release everything else). If the ledger refuses
 * the winner's payment, the auction still ends: every hold left in escrow is returned, it is
 * listed `failed`, and `outcome` fails with `SettlementFailed`. A losing bid's release the ledger
 * refuses fails nothing: that hold is returned when the auction ends. Once settled either way, bids, takes and
 * drops fail with `AuctionClosed` (with `failed: true` after a failed settlement). A Dutch `take`
 * whose settlement fails fails with that `SettlementFailed` too. Escrow lives in a per-auction
 * Scope inside the service's Scope, so closing the service releases every hold.
 *
 * **Authority (secure mode).** Bids escrow as their caller (who needs `ledger:hold:<bidder>`), but
 * the house settles from its deadline timer or on another bidder's action, where the caller is not
 * the hold's maker. Give the house its own principal with the `escrowAuthority` option: a `Tokens`
 * token of an agent holding `ledger:escrow:<account>` for the bidders' accounts (for instance
 * `ledger:escrow:*`). Releasing outbid escrow and settling then run as that agent. Without it (or
 * if its grants fall short) a settlement the ledger refuses fails typed as above, and an outbid
 * escrow the ledger will not release stays held until the auction ends, then is returned.
 *
 * **Bounds.** At most `maxOpen` auctions at once (default 1 000): `open` past it fails with
 * `TooManyAuctions` until one settles. The last 10 000 settled outcomes are remembered, and the
 * last `RECENT_SETTLED` (20) settled auctions stay in `list`.
 *
 * @since 0.1.0
 */
import { Cause, Clock, Context, Deferred, Effect, Exit, Layer, Queue, Schema, Scope, Semaphore } from "effect"
import { decodeInput, type InvalidInput } from "../../errors/index.ts"
import {
  AuctionExists,
  type ClockEvent,
  TooManyAuctions,
  type Outcome,
  SettlementFailed,
  UnknownAuction,
  WrongAuctionKind
} from "../auctions/index.ts"
import { invariant } from "../../errors/Invariant.ts"
import { childSpan, traced } from "../../telemetry/index.ts"
import { type Hold, type InsufficientFunds, Ledger, type Unauthorized, type UnknownAccount } from "../ledger/index.ts"
import { type LiveError, liveDeadline, liveInit, liveOutcome, type LiveState, liveStep } from "./machine.ts"
import { closeAtDeadline, findOpen } from "./internal/deadline.ts"
import { asAuthority, payWinners } from "./internal/escrow.ts"
import { describeAuctionCall } from "./internal/spans.ts"
import { type AuctionListing, listingOf } from "./listing.ts"
import { AuctionSpec, BidInput, DropInput, TakeInput } from "./schema.ts"

/**
 * Everything a bid or take can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type BidError =
  | LiveError
  | UnknownAuction
  | WrongAuctionKind
  | InsufficientFunds
  | UnknownAccount
  | InvalidInput
  | Unauthorized

interface Entry {
  readonly spec: AuctionSpec
  live: LiveState
  readonly escrow: Map<string, Array<Hold>>
  readonly scope: Scope.Closeable
  readonly lock: Semaphore.Semaphore
  readonly done: Deferred.Deferred<Outcome, SettlementFailed>
  /** Offered after each drop-out, which may bring an ascending clock's end forward. Holds at most one wake-up. */
  readonly moved: Queue.Queue<void>
}

/**
 * Options of `AuctionHouse.layerWith`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuctionHouseOptions {
  /** How many auctions may be open at once. Default 1 000. */
  readonly maxOpen?: number
  /**
   * A `Tokens` token the house settles and releases escrow with (secure mode): its agent needs
   * `ledger:escrow:<account>` for every bidder's account. Without it these run as whoever's
   * action (or deadline timer) triggered them.
   */
  readonly escrowAuthority?: string
}

const MAX_REMEMBERED = 10_000

/**
 * How many settled auctions `AuctionHouse.list` keeps showing after the open ones.
 *
 * @since 0.1.0
 * @category constants
 */
export const RECENT_SETTLED = 20

const checkHouseOptions = decodeInput(
  Schema.Struct({
    maxOpen: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
    escrowAuthority: Schema.optionalKey(Schema.String.check(Schema.isBetweenLength(1, 8_192)))
  }),
  "AuctionHouse.layerWith"
)

const houseAttributes = { "mabeam.auction.house": "single" }

const make = (options: AuctionHouseOptions) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    const maxOpen = options.maxOpen ?? 1_000
    const houseScope = yield* Effect.scope
    const open = new Map<string, Entry>()
    // How each settled auction ended (its outcome, or `SettlementFailed`) and when it settled (Clock
    // ms), bounded: the oldest is forgotten first.
    const settled = new Map<string, { readonly exit: Exit.Exit<Outcome, SettlementFailed>; readonly at: number }>()
    // The last RECENT_SETTLED settled auctions as `list` shows them, oldest first.
    const recent: Array<AuctionListing> = []

    const decodeSpec = decodeInput(AuctionSpec, "AuctionHouse.open")
    const decodeBid = decodeInput(BidInput, "AuctionHouse.bid")
    const decodeTake = decodeInput(TakeInput, "AuctionHouse.take")
    const decodeDrop = decodeInput(DropInput, "AuctionHouse.drop")

    const held = (holds: ReadonlyArray<Hold>) => holds.reduce((sum, h) => sum + h.amount, 0n)

    // The house's own escrow principal, if it was given one.
    const authority = options.escrowAuthority
    const asHouse = asAuthority(authority)

    // Releases a losing bidder's escrow. A hold the ledger refuses to release (say, the house has
    // no authority over it in secure mode) is not a defect and fails nothing: the hold stays in the
    // auction's scope, which returns it when the auction ends.
    const releaseLoser = (holds: ReadonlyArray<Hold>) =>
      Effect.forEach(holds, (h) => Effect.ignore(asHouse(ledger.release(h.id))), { discard: true })

    // All or nothing: a capture refused part-way reverses the captures made before it (see `payWinners`).
    const pay = (entry: Entry, outcome: Outcome) =>
      payWinners(ledger, entry.spec.seller, entry.escrow, (bidder) =>
        outcome.award !== undefined && bidder === outcome.award.winner ? outcome.award.payment : 0n
      )

    // A failed settlement ends typed and listed: closing the auction's scope returns every hold
    // still in escrow, and `outcome` fails with `SettlementFailed`.
    const settle = (entry: Entry, outcome: Outcome) =>
      Effect.gen(function* () {
        const paid = yield* Effect.exit(asHouse(pay(entry, outcome)))
        const result: Exit.Exit<Outcome, SettlementFailed> = Exit.isSuccess(paid)
          ? Exit.succeed(outcome)
          : Exit.fail(
              new SettlementFailed({ auction: entry.spec.id, reason: Cause.pretty(paid.cause).split("\n")[0] ?? "" })
            )
        entry.escrow.clear()
        yield* Scope.close(entry.scope, Exit.void)
        open.delete(entry.spec.id)
        const now = yield* Clock.currentTimeMillis
        settled.set(entry.spec.id, { exit: result, at: now })
        const listing = listingOf(entry.spec, entry.live, now)
        recent.push(Exit.isSuccess(result) ? listing : { ...listing, status: "failed", award: undefined })
        if (recent.length > RECENT_SETTLED) recent.shift()
        if (settled.size > MAX_REMEMBERED) {
          const oldest = settled.keys().next()
          if (oldest.done !== true) settled.delete(oldest.value)
        }
        yield* Deferred.done(entry.done, result)
      }).pipe(childSpan("mabeam.auction.settle", { "mabeam.auction.id": entry.spec.id, ...houseAttributes }))

    const handle = (entry: Entry, event: ClockEvent) =>
      entry.lock.withPermit(
        Effect.uninterruptible(
          Effect.gen(function* () {
            const step = liveStep(entry.live, event)
            for (const output of step.outputs) if (output._tag === "Rejected") return yield* Effect.fail(output.error)
            // Escrow first: if it fails, nothing has been committed.
            const accepted = new Map<string, Hold>()
            for (const output of step.outputs) {
              if (output._tag !== "Accepted") continue
              const already = held(entry.escrow.get(output.bidder) ?? [])
              if (output.amount > already) {
                const hold = yield* Scope.provide(entry.scope)(
                  ledger.hold({ account: output.bidder, amount: output.amount - already })
                )
                accepted.set(output.bidder, hold)
              }
            }
            entry.live = step.state
            for (const [bidder, hold] of accepted) entry.escrow.set(bidder, [...(entry.escrow.get(bidder) ?? []), hold])
            for (const output of step.outputs) {
              if (output._tag === "Outbid" && !accepted.has(output.bidder)) {
                yield* releaseLoser(entry.escrow.get(output.bidder) ?? [])
                entry.escrow.delete(output.bidder)
              } else if (output._tag === "Settled") {
                yield* settle(entry, output.outcome)
              }
            }
            return step
          })
        )
      )

    // Sleeps until the (possibly extended) deadline, then closes the auction.
    const timer = (entry: Entry): Effect.Effect<void> =>
      closeAtDeadline({
        settled: () => liveOutcome(entry.live) !== undefined,
        deadline: () => liveDeadline(entry.live),
        close: (at) =>
          Effect.orDie(handle(entry, { _tag: "Close", at })).pipe(
            childSpan("mabeam.auction.close", { "mabeam.auction.id": entry.spec.id, ...houseAttributes })
          ),
        moved: Queue.take(entry.moved)
      })

    const find = findOpen(open, (auction) => {
      const done = settled.get(auction)
      return done === undefined ? undefined : { at: done.at, failed: Exit.isFailure(done.exit) }
    })

    return AuctionHouse.of(
      traced<AuctionHouse["Service"]>("auction", ["open", "bid", "take", "drop"], {
        withinTrace: true,
        attributes: houseAttributes,
        describe: describeAuctionCall
      })({
        open: (input) =>
          Effect.gen(function* () {
            const spec = yield* decodeSpec(input)
            yield* ledger.balance(spec.seller)
            if (open.has(spec.id) || settled.has(spec.id)) return yield* new AuctionExists({ auction: spec.id })
            if (open.size >= maxOpen) return yield* new TooManyAuctions({ auction: spec.id, limit: maxOpen })
            const now = yield* Clock.currentTimeMillis
            const entry: Entry = {
              spec,
              live: liveInit(spec, now),
              escrow: new Map(),
              scope: yield* Scope.fork(houseScope, "sequential"),
              lock: yield* Semaphore.make(1),
              done: yield* Deferred.make<Outcome, SettlementFailed>(),
              moved: yield* Queue.dropping<void>(1)
            }
            open.set(spec.id, entry)
            yield* Effect.forkIn(timer(entry), houseScope)
          }).pipe(Effect.uninterruptible),
        bid: (input) =>
          Effect.gen(function* () {
            const bid = yield* decodeBid(input)
            const entry = yield* find(bid.auction)
            if (entry.spec.kind === "dutch") {
              return yield* new WrongAuctionKind({ auction: bid.auction, kind: "dutch", operation: "bid" })
            }
            const at = yield* Clock.currentTimeMillis
            yield* handle(entry, { _tag: "Bid", bidder: bid.bidder, amount: bid.amount, at })
          }),
        take: (input) =>
          Effect.gen(function* () {
            const take = yield* decodeTake(input)
            const entry = yield* find(take.auction)
            if (entry.spec.kind !== "dutch") {
              return yield* new WrongAuctionKind({ auction: take.auction, kind: entry.spec.kind, operation: "take" })
            }
            const at = yield* Clock.currentTimeMillis
            const step = yield* handle(entry, { _tag: "Take", bidder: take.bidder, at })
            // The take settled the auction: if the seller could not be paid, neither is the take.
            const done = settled.get(take.auction)
            if (done !== undefined && Exit.isFailure(done.exit)) yield* done.exit
            const outcome = liveOutcome(step.state)
            invariant(outcome?.award !== undefined, "an accepted Dutch take settles the auction")
            return outcome.award.payment
          }),
        drop: (input) =>
          Effect.gen(function* () {
            const drop = yield* decodeDrop(input)
            const entry = yield* find(drop.auction)
            if (entry.spec.kind !== "english-clock") {
              return yield* new WrongAuctionKind({ auction: drop.auction, kind: entry.spec.kind, operation: "drop" })
            }
            yield* handle(entry, { _tag: "Drop", bidder: drop.bidder, at: yield* Clock.currentTimeMillis })
            yield* Queue.offer(entry.moved, undefined)
          }),
        list: Effect.map(Clock.currentTimeMillis, (now) => [
          ...[...open.values()].map((entry) => listingOf(entry.spec, entry.live, now)),
          ...recent
        ]),
        outcome: (auction) =>
          Effect.suspend((): Effect.Effect<Outcome, UnknownAuction | SettlementFailed> => {
            const done = settled.get(auction)
            if (done !== undefined) return done.exit
            const entry = open.get(auction)
            return entry === undefined ? Effect.fail(new UnknownAuction({ auction })) : Deferred.await(entry.done)
          })
      })
    )
  })

/**
 * Runs auctions live, escrowing bids in the `Ledger`. Requires `Ledger`.
 *
 * @since 0.1.0
 * @category services
 */
export class AuctionHouse extends Context.Service<
  AuctionHouse,
  {
    /**
     * Opens an auction now; it closes `spec.duration` ms later (Clock time), or later under soft
     * close. Fails with `AuctionExists`, `TooManyAuctions`, `UnknownAccount` (seller) or `InvalidInput`.
     */
    readonly open: (
      spec: AuctionSpec
    ) => Effect.Effect<void, AuctionExists | TooManyAuctions | UnknownAccount | InvalidInput>
    /**
     * Places a bid (English, first-price, second-price), a maximum (`english-proxy`) or a limit
     * (`english-clock`, before its clock starts), escrowing the amount from `bidder`'s account.
     */
    readonly bid: (input: BidInput) => Effect.Effect<void, BidError>
    /**
     * Leaves an ascending-clock (`english-clock`) auction at the current clock price and releases
     * the bidder's escrow; the last bidder left wins at once. `NotBidding` if the bidder is not in,
     * `WrongAuctionKind` for other kinds.
     */
    readonly drop: (input: DropInput) => Effect.Effect<void, BidError>
    /**
     * Takes a Dutch auction at the current clock price; pays the seller at once and returns the
     * price. `SettlementFailed` if the ledger refused the payment: the auction is then listed
     * `failed` and the taker's escrow returned.
     */
    readonly take: (input: TakeInput) => Effect.Effect<bigint, BidError | SettlementFailed>
    /** Waits for the auction to settle and returns its outcome; `SettlementFailed` if its settlement failed. */
    readonly outcome: (auction: string) => Effect.Effect<Outcome, UnknownAuction | SettlementFailed>
    /**
     * Every open auction (in opening order, status `open`), then the last `RECENT_SETTLED` settled
     * ones (oldest first, status `settled` with their award, or `failed` with none when the
     * settlement failed and the escrow was returned). Read-only: it takes no auction's lock,
     * so a bid in progress shows once it has been committed.
     */
    readonly list: Effect.Effect<ReadonlyArray<AuctionListing>>
  }
>()("mabeam/AuctionHouse") {
  /**
   * An auction house with the given bounds over the `Ledger` in context; `InvalidInput` if
   * `maxOpen` is not a positive integer.
   */
  static readonly layerWith = (options: AuctionHouseOptions = {}): Layer.Layer<AuctionHouse, InvalidInput, Ledger> =>
    Layer.effect(AuctionHouse, Effect.flatMap(checkHouseOptions(options), make))

  /** The auction house over the `Ledger` in context, with default bounds. */
  static readonly layer: Layer.Layer<AuctionHouse, never, Ledger> = Layer.effect(
    AuctionHouse,
    Effect.suspend(() => make({}))
  )
}
