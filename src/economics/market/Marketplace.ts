/**
 * The marketplace: named order books for tasks and resources, settling through the `Ledger`.
 *
 * The matching is the pure `submit`/`cancel` of orderBook.ts; this service is its driver. A buy
 * order escrows `price × quantity` in a ledger hold before it touches the book (failing with
 * `InsufficientFunds` changes nothing). Each fill pays the seller `fill price × quantity` by
 * capturing that much of the buyer's hold (`keepRest`), and when an incoming buy trades below its
 * limit the saving goes straight back to the buyer: a resting buy always holds exactly
 * `price × quantity left`. Sell orders hold no money (delivering the task or resource is up to
 * the seller, told through `fills`). An `immediate` order (immediate-or-cancel) never rests: it is
 * how a market order is placed — a sell at price 1, or a buy whose price is the most it will pay
 * per unit (the escrow needs a bound).
 *
 * Every order lives in a scope forked from the caller's Scope: when the caller's scope closes (an
 * agent dies, a request ends), its resting orders leave the book and their escrow is released.
 * Each operation runs under one lock and uninterruptibly, so the book and the ledger change
 * together or not at all.
 *
 * **Bounds.** At most `maxMarkets` books (default 1 000) and `maxOrders` resting orders per book
 * (default 10 000); an order past either is rejected whole with `MarketFull`. `fills` keeps at most
 * 1 024 unread fills per subscriber, dropping the oldest.
 *
 * @since 0.1.0
 */
import { Context, Effect, Exit, Layer, PubSub, Schema, Scope, Semaphore, Stream } from "effect"
import { decodeInput, InvalidInput } from "../../errors/index.ts"
import { invariant } from "../../errors/Invariant.ts"
import { type InsufficientFunds, Ledger, type Unauthorized, type UnknownAccount } from "../ledger/index.ts"
import { MAX_AMOUNT } from "../money.ts"
import { MarketFull, UnknownOrder } from "./MarketError.ts"
import { cancel, emptyBook, type Fill, type OrderBook, type Resting, submit } from "./orderBook.ts"
import { CancelInput, SubmitInput } from "./schema.ts"

/**
 * Options of `Marketplace.layerWith`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MarketplaceOptions {
  /** How many markets (books) may exist. Default 1 000. */
  readonly maxMarkets?: number
  /** How many orders may rest in one book. Default 10 000. */
  readonly maxOrders?: number
}

/**
 * What `submit` did: the order's id, its fills in order, and what of it rests in the book.
 *
 * @since 0.1.0
 * @category models
 */
export interface Submission {
  readonly market: string
  readonly id: number
  readonly fills: ReadonlyArray<Fill>
  readonly resting: Resting | undefined
}

/**
 * A fill, with the market it happened on.
 *
 * @since 0.1.0
 * @category models
 */
export interface MarketFill extends Fill {
  readonly market: string
}

/**
 * Everything `submit` can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type SubmitError = MarketFull | InsufficientFunds | UnknownAccount | InvalidInput | Unauthorized

interface Live {
  readonly id: number
  readonly owner: string
  readonly hold: string | undefined
  held: bigint
  left: number
  done: boolean
  readonly scope: Scope.Closeable
}

interface Market {
  book: OrderBook
  readonly orders: Map<number, Live>
}

const make = (options: MarketplaceOptions) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    const maxMarkets = options.maxMarkets ?? 1_000
    const maxOrders = options.maxOrders ?? 10_000
    const markets = new Map<string, Market>()
    const lock = yield* Semaphore.make(1)
    const fills = yield* PubSub.sliding<MarketFill>(1024)
    // The guard is cheap; the decoder (which builds the error message) runs only on bad input.
    const isSubmit = Schema.is(SubmitInput)
    const decodeSubmit = decodeInput(SubmitInput, "Marketplace.submit")
    const decodeCancel = decodeInput(CancelInput, "Marketplace.cancel")

    // Closing the order's scope releases whatever escrow is left (a no-op once captured).
    const finish = (market: Market, live: Live) =>
      Effect.suspend(() => {
        live.done = true
        market.orders.delete(live.id)
        return Scope.close(live.scope, Exit.void)
      })

    const withdraw = (market: Market, live: Live) =>
      Effect.suspend(() => {
        market.book = cancel(market.book, live.id).book
        return finish(market, live)
      })

    // Runs when the owner's scope closes first. `done` is checked again under the lock because a
    // fill may have completed the order while the finalizer waited for it.
    const onOwnerGone = (market: Market, live: Live) =>
      Effect.suspend(() =>
        live.done
          ? Effect.void
          : lock.withPermit(Effect.suspend(() => (live.done ? Effect.void : withdraw(market, live))))
      )

    const place = (input: SubmitInput, caller: Scope.Scope) =>
      Effect.gen(function* () {
        const { market: name, immediate, ...order } = input
        yield* ledger.balance(order.owner)
        const existing = markets.get(name)
        if (existing === undefined && markets.size >= maxMarkets) {
          return yield* new MarketFull({ market: name, what: "markets", limit: maxMarkets })
        }
        const result = submit(existing?.book ?? emptyBook(maxOrders), order)
        if (result.overflow && immediate !== true) {
          return yield* new MarketFull({ market: name, what: "orders", limit: maxOrders })
        }
        // Immediate-or-cancel: what did not fill at once never rests.
        const book =
          immediate === true && result.resting !== undefined ? cancel(result.book, result.id).book : result.book
        const rests = immediate === true ? undefined : result.resting
        const scope = yield* Scope.fork(caller)
        const escrow = order.price * BigInt(order.quantity)
        const hold =
          order.side === "buy"
            ? yield* Scope.provide(scope)(ledger.hold({ account: order.owner, amount: escrow })).pipe(
                Effect.tapError(() => Scope.close(scope, Exit.void))
              )
            : undefined
        // Nothing below fails: the book and the ledger are committed together.
        const market = existing ?? { book, orders: new Map<number, Live>() }
        markets.set(name, market)
        market.book = book
        const live: Live = {
          id: result.id,
          owner: order.owner,
          hold: hold?.id,
          held: hold === undefined ? 0n : escrow,
          left: order.quantity,
          done: false,
          scope
        }
        for (const fill of result.fills) {
          const incomingBuys = fill.buyOrder === result.id
          const buyer = incomingBuys ? live : market.orders.get(fill.buyOrder)
          const other = incomingBuys ? market.orders.get(fill.sellOrder) : buyer
          invariant(
            buyer?.hold !== undefined && other !== undefined,
            `fill of order ${result.id} names an unknown order`
          )
          const amount = fill.price * BigInt(fill.quantity)
          yield* Effect.orDie(ledger.capture({ hold: buyer.hold, to: fill.seller, amount, keepRest: true }))
          buyer.held -= amount
          live.left -= fill.quantity
          other.left -= fill.quantity
          invariant(other.left >= 0 && buyer.held >= 0n, `order ${other.id} overfilled`)
          if (other.left === 0) yield* finish(market, other)
          PubSub.publishUnsafe(fills, { ...fill, market: name })
        }
        invariant(
          live.left === (result.resting?.quantity ?? (result.overflow ? live.left : 0)),
          `order ${result.id} left ${live.left} unaccounted`
        )
        if (rests === undefined) live.left = 0
        const surplus = live.held - order.price * BigInt(live.left)
        if (hold !== undefined && surplus > 0n) {
          yield* Effect.orDie(
            live.left === 0
              ? ledger.release(hold.id)
              : ledger.capture({ hold: hold.id, to: order.owner, amount: surplus, keepRest: true })
          )
          live.held -= surplus
        }
        if (live.left === 0) {
          yield* finish(market, live)
        } else {
          market.orders.set(live.id, live)
          yield* Scope.addFinalizer(scope, onOwnerGone(market, live))
        }
        return { market: name, id: result.id, fills: result.fills, resting: rests }
      })

    return Marketplace.of({
      submit: (input) =>
        Effect.gen(function* () {
          const order = isSubmit(input) ? input : yield* decodeSubmit(input)
          if (order.side === "buy" && order.price * BigInt(order.quantity) > MAX_AMOUNT) {
            return yield* new InvalidInput({
              where: "Marketplace.submit",
              issue: `price × quantity exceeds ${MAX_AMOUNT}`
            })
          }
          const caller = yield* Effect.scope
          if (caller.state._tag === "Closed")
            return yield* Effect.die(new Error("Marketplace.submit: the caller's scope is closed"))
          return yield* lock.withPermit(Effect.uninterruptible(place(order, caller)))
        }),
      cancel: (input) =>
        Effect.flatMap(decodeCancel(input), (request) =>
          lock.withPermit(
            Effect.uninterruptible(
              Effect.suspend(() => {
                const market = markets.get(request.market)
                const live = market?.orders.get(request.order)
                if (market === undefined || live === undefined || live.owner !== request.owner) {
                  return Effect.fail(new UnknownOrder(request))
                }
                return withdraw(market, live)
              })
            )
          )
        ),
      book: (market) => Effect.sync(() => markets.get(market)?.book ?? emptyBook(maxOrders)),
      fills: Stream.fromPubSub(fills)
    })
  })

/**
 * Order books for tasks and resources with escrow in the `Ledger`. Requires `Ledger`.
 *
 * @since 0.1.0
 * @category services
 */
export class Marketplace extends Context.Service<
  Marketplace,
  {
    /**
     * Places a limit order on `market` (created on first use) for the current Scope: it matches at
     * once by price-time priority, and what is left rests until filled, cancelled, or the Scope
     * closes. A buy escrows `price × quantity` first. Fails with `InsufficientFunds`,
     * `UnknownAccount`, `MarketFull` or `InvalidInput`, changing nothing.
     *
     * @example
     * ```ts
     * const market = yield* Marketplace
     * const sold = yield* market.submit({ market: "gpu-hours", side: "sell", owner: "w1", price: 10n, quantity: 4 })
     * const bought = yield* market.submit({ market: "gpu-hours", side: "buy", owner: "a1", price: 12n, quantity: 3 })
     * // bought.fills: 3 units at 10 each; w1 got 30, a1's saving of 6 was never held
     * ```
     */
    readonly submit: (input: SubmitInput) => Effect.Effect<Submission, SubmitError, Scope.Scope>
    /** Cancels a resting order of `owner` and releases its escrow. Fails with `UnknownOrder`. */
    readonly cancel: (input: CancelInput) => Effect.Effect<void, UnknownOrder | InvalidInput>
    /** A snapshot of `market`'s book (empty if it has no orders yet). */
    readonly book: (market: string) => Effect.Effect<OrderBook>
    /** Every fill from the moment of subscription (1 024 unread at most; the oldest is dropped). */
    readonly fills: Stream.Stream<MarketFill>
  }
>()("mabeam/Marketplace") {
  /** A marketplace with the given bounds over the `Ledger` in context. */
  static readonly layerWith = (options: MarketplaceOptions = {}): Layer.Layer<Marketplace, never, Ledger> =>
    Layer.effect(Marketplace, make(options))

  /** A marketplace with default bounds over the `Ledger` in context. */
  static readonly layer: Layer.Layer<Marketplace, never, Ledger> = Marketplace.layerWith()
}
