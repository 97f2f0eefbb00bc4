/**
 * The combinatorial auction house: runs bundle auctions live on `Clock` with escrow in the
 * `Ledger`, the thin driver of the pure `bundleStep`.
 *
 * A bid escrows what the bidder can owe at most under its bid language (`mostOwed`: the sum over
 * its XOR groups of each group's largest bid — plain XOR bids escrow the largest bid, OR bids
 * their sum), since VCG never charges more than the winning bids. At the deadline, exact winner determination and VCG run once under
 * the auction's lock; each winner's payment is captured for the seller and every other hold is
 * released. If the search exceeds its limit, every hold is released and `outcome` fails with
 * `SearchLimitExceeded`. If the ledger refuses a winner's payment, every hold left in escrow is
 * returned and `outcome` fails with `SettlementFailed` (later bids: `AuctionClosed` with
 * `failed: true`); payments captured before the refusal stand. In secure mode give the house an
 * `escrowAuthority` token (an agent holding `ledger:escrow:<account>` for the bidders) so its
 * deadline timer may capture and release the bidders' holds. Escrow lives in a per-auction Scope inside the service's Scope, so
 * closing the service releases every hold. Winner determination runs synchronously on the
 * settling fiber: `maxNodes` bounds how long that takes (about 1–5 s at the default 2 000 000).
 *
 * **Bounds.** At most `maxOpen` auctions at once (default 100; `TooManyAuctions` past it), at most
 * `maxBids` bids per auction (see `BundleSpec`), the last 10 000 settled outcomes remembered.
 *
 * @since 0.1.0
 */
import { Cause, Clock, Context, Deferred, Effect, Exit, Layer, Result, Scope, Semaphore } from "effect"
import { decodeInput, type InvalidInput } from "../../errors/index.ts"
import { childSpan, traced } from "../../telemetry/index.ts"
import {
  AuctionExists,
  type SearchLimitExceeded,
  SettlementFailed,
  TooManyAuctions,
  UnknownAuction
} from "../auctions/index.ts"
import { type Hold, type InsufficientFunds, Ledger, type Unauthorized, type UnknownAccount } from "../ledger/index.ts"
import {
  BundleBidInput,
  type BundleEvent,
  bundleInit,
  type BundleOutcome,
  BundleSpec,
  type BundleState,
  bundleStep,
  type BundleStepError
} from "./bundle.ts"
import { closeAtDeadline, findOpen } from "./internal/deadline.ts"
import { asAuthority, heldBy, payWinners } from "./internal/escrow.ts"
import { describeAuctionCall } from "./internal/spans.ts"

/**
 * Options of `CombinatorialHouse.layerWith`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CombinatorialHouseOptions {
  /** How many auctions may be open at once. Default 100. */
  readonly maxOpen?: number
  /**
   * A `Tokens` token the house settles escrow with (secure mode): its agent needs
   * `ledger:escrow:<account>` for every bidder's account. Without it settlement runs as whoever
   * triggered it (the deadline timer: nobody).
   */
  readonly escrowAuthority?: string
}

/**
 * One open bundle auction as `CombinatorialHouse.list` shows it (bids are sealed: only their number).
 *
 * @since 0.1.0
 * @category models
 */
export interface BundleListing {
  readonly id: string
  readonly seller: string
  readonly items: ReadonlyArray<string>
  readonly bids: number
  /** When it settles (Clock ms). */
  readonly deadline: number
}

/**
 * Everything a bundle bid can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type BundleBidError =
  | BundleStepError
  | UnknownAuction
  | InsufficientFunds
  | UnknownAccount
  | InvalidInput
  | Unauthorized

type Settlement = Result.Result<BundleOutcome, SearchLimitExceeded | SettlementFailed>

interface Entry {
  state: BundleState
  readonly escrow: Map<string, Array<Hold>>
  readonly scope: Scope.Closeable
  readonly lock: Semaphore.Semaphore
  readonly done: Deferred.Deferred<Settlement>
}

const MAX_REMEMBERED = 10_000

const houseAttributes = { "mabeam.auction.house": "combinatorial" }

const make = (options: CombinatorialHouseOptions) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    const houseScope = yield* Effect.scope
    const maxOpen = options.maxOpen ?? 100
    const open = new Map<string, Entry>()
    // Settled results and when they settled (Clock ms), bounded: the oldest is forgotten first.
    const settled = new Map<string, { readonly result: Settlement; readonly at: number }>()
    const decodeSpec = decodeInput(BundleSpec, "CombinatorialHouse.open")
    const decodeBid = decodeInput(BundleBidInput, "CombinatorialHouse.bid")

    const asHouse = asAuthority(options.escrowAuthority)

    // A payment the ledger refuses ends the auction `SettlementFailed`; closing its scope returns
    // every hold still in escrow.
    const settle = (entry: Entry, computed: Settlement) =>
      Effect.gen(function* () {
        const payments = new Map<string, bigint>()
        if (Result.isSuccess(computed))
          for (const award of computed.success.awards) payments.set(award.bidder, award.payment)
        const paid = yield* Effect.exit(
          asHouse(payWinners(ledger, entry.state.spec.seller, entry.escrow, (bidder) => payments.get(bidder) ?? 0n))
        )
        const result: Settlement = Exit.isSuccess(paid)
          ? computed
          : Result.fail(
              new SettlementFailed({
                auction: entry.state.spec.id,
                reason: Cause.pretty(paid.cause).split("\n")[0] ?? ""
              })
            )
        entry.escrow.clear()
        yield* Scope.close(entry.scope, Exit.void)
        open.delete(entry.state.spec.id)
        settled.set(entry.state.spec.id, { result, at: yield* Clock.currentTimeMillis })
        if (settled.size > MAX_REMEMBERED) {
          const oldest = settled.keys().next()
          if (oldest.done !== true) settled.delete(oldest.value)
        }
        yield* Deferred.succeed(entry.done, result)
      }).pipe(childSpan("mabeam.auction.settle", { "mabeam.auction.id": entry.state.spec.id, ...houseAttributes }))

    const handle = (entry: Entry, event: BundleEvent) =>
      entry.lock.withPermit(
        Effect.uninterruptible(
          Effect.gen(function* () {
            const step = bundleStep(entry.state, event)
            for (const output of step.outputs) {
              if (output._tag === "Rejected") return yield* Effect.fail(output.error)
              if (output._tag === "Accepted") {
                // Escrow before committing: a failed hold leaves the auction as it was.
                const holds = entry.escrow.get(output.bidder) ?? []
                const missing = output.escrow - heldBy(holds)
                if (missing > 0n) {
                  const hold = yield* Scope.provide(entry.scope)(
                    ledger.hold({ account: output.bidder, amount: missing })
                  )
                  entry.escrow.set(output.bidder, [...holds, hold])
                }
              }
            }
            entry.state = step.state
            for (const output of step.outputs) if (output._tag === "Settled") yield* settle(entry, output.result)
          })
        )
      )

    const timer = (entry: Entry): Effect.Effect<void> =>
      closeAtDeadline({
        settled: () => entry.state.result !== undefined,
        deadline: () => entry.state.deadline,
        close: (at) =>
          Effect.orDie(handle(entry, { _tag: "Close", at })).pipe(
            childSpan("mabeam.auction.close", { "mabeam.auction.id": entry.state.spec.id, ...houseAttributes })
          )
      })

    const find = findOpen(open, (auction) => {
      const done = settled.get(auction)
      return done === undefined ? undefined : { at: done.at, failed: Result.isFailure(done.result) }
    })

    return CombinatorialHouse.of(
      traced<CombinatorialHouse["Service"]>("auction", ["open", "bid"], {
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
            const entry: Entry = {
              state: bundleInit(spec, yield* Clock.currentTimeMillis),
              escrow: new Map(),
              scope: yield* Scope.fork(houseScope, "sequential"),
              lock: yield* Semaphore.make(1),
              done: yield* Deferred.make<Settlement>()
            }
            open.set(spec.id, entry)
            yield* Effect.forkIn(timer(entry), houseScope)
          }).pipe(Effect.uninterruptible),
        bid: (input) =>
          Effect.gen(function* () {
            const { auction, ...bid } = yield* decodeBid(input)
            const entry = yield* find(auction)
            yield* handle(entry, { _tag: "Bid", bid, at: yield* Clock.currentTimeMillis })
          }),
        list: Effect.sync(() =>
          [...open.values()].map(
            ({ state }): BundleListing => ({
              id: state.spec.id,
              seller: state.spec.seller,
              items: state.spec.items,
              bids: state.bids.length,
              deadline: state.deadline
            })
          )
        ),
        outcome: (auction) =>
          Effect.suspend(() => {
            const done = settled.get(auction)
            const entry = open.get(auction)
            const result =
              done !== undefined
                ? Effect.succeed(done.result)
                : entry === undefined
                  ? Effect.fail(new UnknownAuction({ auction }))
                  : Deferred.await(entry.done)
            return Effect.flatMap(result, Effect.fromResult)
          })
      })
    )
  })

/**
 * Runs combinatorial (bundle, VCG) auctions live with escrow in the `Ledger`. Requires `Ledger`.
 *
 * @since 0.1.0
 * @category services
 */
export class CombinatorialHouse extends Context.Service<
  CombinatorialHouse,
  {
    /**
     * Opens a bundle auction now; it settles `spec.duration` ms later (Clock time). Fails with
     * `AuctionExists`, `TooManyAuctions`, `UnknownAccount` (seller) or `InvalidInput`.
     */
    readonly open: (
      spec: BundleSpec
    ) => Effect.Effect<void, AuctionExists | TooManyAuctions | UnknownAccount | InvalidInput>
    /**
     * Bids on a bundle, escrowing up to what the bidder can owe (`mostOwed`); `xor` picks the bid
     * language (see `BundleBidInput`). A failed bid changes nothing.
     *
     * @example
     * ```ts
     * yield* house.open({ id: "slots", seller: "pool", items: ["gpu-1", "gpu-2"], duration: 1000 })
     * yield* house.bid({ auction: "slots", bidder: "a", items: ["gpu-1", "gpu-2"], amount: 10n })
     * yield* house.bid({ auction: "slots", bidder: "b", items: ["gpu-1"], amount: 6n })
     * ```
     */
    readonly bid: (input: BundleBidInput) => Effect.Effect<void, BundleBidError>
    /**
     * Waits for the auction to settle; fails with `SearchLimitExceeded` if winner determination gave
     * up, `SettlementFailed` if the ledger refused a payment (the escrow was returned).
     */
    readonly outcome: (
      auction: string
    ) => Effect.Effect<BundleOutcome, UnknownAuction | SearchLimitExceeded | SettlementFailed>
    /** The open auctions in opening order; a settled auction leaves the list (its result: `outcome`). Read-only. */
    readonly list: Effect.Effect<ReadonlyArray<BundleListing>>
  }
>()("mabeam/CombinatorialHouse") {
  /** A combinatorial auction house with the given bounds over the `Ledger` in context. */
  static readonly layerWith = (
    options: CombinatorialHouseOptions = {}
  ): Layer.Layer<CombinatorialHouse, never, Ledger> => Layer.effect(CombinatorialHouse, make(options))

  /** A combinatorial auction house with default bounds over the `Ledger` in context. */
  static readonly layer: Layer.Layer<CombinatorialHouse, never, Ledger> = CombinatorialHouse.layerWith()
}
