import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Schema, Scope, Stream } from "effect"
import { InvalidInput } from "../../src/errors/index.ts"
import { InsufficientFunds, Ledger, UnknownAccount } from "../../src/economics/ledger/index.ts"
import { MarketFull, Marketplace, UnknownOrder } from "../../src/economics/market/index.ts"

const live = (options: { maxMarkets?: number; maxOrders?: number } = {}) =>
  Marketplace.layerWith(options).pipe(Layer.provideMerge(Ledger.layer))

const names = ["a", "b", "c", "d"] as const

const setup = Effect.gen(function* () {
  const ledger = yield* Ledger
  for (const name of names) {
    yield* ledger.open(name)
    yield* ledger.mint({ account: name, amount: 100n })
  }
  return { ledger, market: yield* Marketplace }
})

const balance = (account: string) => Ledger.use((l) => l.balance(account))

describe("Marketplace", () => {
  it.effect("a buy pays each seller its resting price; the saving below the limit is never held", () =>
    Effect.gen(function* () {
      const { ledger, market } = yield* setup
      yield* market.submit({ market: "gpu", side: "sell", owner: "a", price: 10n, quantity: 2 })
      yield* market.submit({ market: "gpu", side: "sell", owner: "b", price: 12n, quantity: 5 })
      const bought = yield* market.submit({ market: "gpu", side: "buy", owner: "c", price: 15n, quantity: 4 })
      assert.deepStrictEqual(
        bought.fills.map((f) => [f.seller, f.price, f.quantity]),
        [
          ["a", 10n, 2],
          ["b", 12n, 2]
        ]
      )
      assert.isUndefined(bought.resting)
      assert.deepStrictEqual(yield* balance("c"), { available: 56n, held: 0n })
      assert.deepStrictEqual(yield* balance("a"), { available: 120n, held: 0n })
      assert.deepStrictEqual(yield* balance("b"), { available: 124n, held: 0n })
      assert.deepStrictEqual(
        (yield* market.book("gpu")).asks.map((r) => [r.owner, r.quantity]),
        [["b", 3]]
      )
      assert.strictEqual((yield* ledger.audit).holds, 0)
    }).pipe(Effect.provide(live()))
  )

  it.effect("a resting buy holds exactly price × quantity left, and sellers draw it down", () =>
    Effect.gen(function* () {
      const { ledger, market } = yield* setup
      yield* market.submit({ market: "gpu", side: "sell", owner: "a", price: 8n, quantity: 1 })
      const buy = yield* market.submit({ market: "gpu", side: "buy", owner: "c", price: 10n, quantity: 5 })
      assert.strictEqual(buy.resting?.quantity, 4)
      assert.deepStrictEqual(yield* balance("c"), { available: 52n, held: 40n })
      yield* market.submit({ market: "gpu", side: "sell", owner: "b", price: 9n, quantity: 3 })
      assert.deepStrictEqual(yield* balance("c"), { available: 52n, held: 10n })
      assert.deepStrictEqual(yield* balance("b"), { available: 130n, held: 0n })
      const last = yield* market.submit({ market: "gpu", side: "sell", owner: "d", price: 10n, quantity: 3 })
      assert.strictEqual(last.resting?.quantity, 2)
      assert.deepStrictEqual(yield* balance("c"), { available: 52n, held: 0n })
      assert.deepStrictEqual(yield* balance("d"), { available: 110n, held: 0n })
      assert.deepStrictEqual(yield* ledger.audit, { supply: 400n, available: 400n, held: 0n, accounts: 4, holds: 0 })
    }).pipe(Effect.provide(live()))
  )

  it.effect("cancel releases the escrow; only the owner can cancel, and only once", () =>
    Effect.gen(function* () {
      const { market } = yield* setup
      const buy = yield* market.submit({ market: "gpu", side: "buy", owner: "a", price: 7n, quantity: 3 })
      const notYours = yield* Effect.flip(market.cancel({ market: "gpu", order: buy.id, owner: "b" }))
      assert.instanceOf(notYours, UnknownOrder)
      assert.deepStrictEqual(yield* balance("a"), { available: 79n, held: 21n })
      yield* market.cancel({ market: "gpu", order: buy.id, owner: "a" })
      assert.deepStrictEqual(yield* balance("a"), { available: 100n, held: 0n })
      const again = yield* Effect.flip(market.cancel({ market: "gpu", order: buy.id, owner: "a" }))
      assert.strictEqual(again.message, `market "gpu": no resting order ${buy.id} of "a"`)
      assert.instanceOf(yield* Effect.flip(market.cancel({ market: "nope", order: 1, owner: "a" })), UnknownOrder)
      assert.instanceOf(yield* Effect.flip(market.cancel({ market: "gpu", order: 0, owner: "a" })), InvalidInput)
      assert.deepStrictEqual((yield* market.book("gpu")).bids, [])
    }).pipe(Effect.provide(live()))
  )

  it.effect("when an owner's scope closes, its resting orders leave the book and its escrow comes back", () =>
    Effect.gen(function* () {
      const { ledger, market } = yield* setup
      const agent = yield* Effect.forkChild(
        Effect.scoped(
          Effect.gen(function* () {
            yield* market.submit({ market: "gpu", side: "buy", owner: "a", price: 9n, quantity: 4 })
            yield* market.submit({ market: "cpu", side: "sell", owner: "a", price: 3n, quantity: 4 })
            return yield* Effect.never
          })
        )
      )
      yield* Effect.yieldNow
      assert.deepStrictEqual(yield* balance("a"), { available: 64n, held: 36n })
      yield* Fiber.interrupt(agent)
      assert.deepStrictEqual(yield* balance("a"), { available: 100n, held: 0n })
      assert.deepStrictEqual((yield* market.book("gpu")).bids, [])
      assert.deepStrictEqual((yield* market.book("cpu")).asks, [])
      const none = yield* market.submit({ market: "gpu", side: "sell", owner: "b", price: 1n, quantity: 1 })
      assert.deepStrictEqual(none.fills, [])
      assert.strictEqual((yield* ledger.audit).held, 0n)
    }).pipe(Effect.provide(live()))
  )

  it.effect("every failed submit is typed and leaves the book and the escrow as they were", () =>
    Effect.gen(function* () {
      const { ledger, market } = yield* setup
      yield* market.submit({ market: "gpu", side: "buy", owner: "a", price: 5n, quantity: 2 })
      const poor = yield* Effect.flip(
        market.submit({ market: "gpu", side: "buy", owner: "a", price: 50n, quantity: 2 })
      )
      assert.instanceOf(poor, InsufficientFunds)
      assert.deepStrictEqual(yield* balance("a"), { available: 90n, held: 10n })
      yield* market.submit({ market: "gpu", side: "sell", owner: "d", price: 99n, quantity: 1 })
      const before = { book: yield* market.book("gpu"), audit: yield* ledger.audit, a: yield* balance("a") }
      const ghost = yield* Effect.flip(
        market.submit({ market: "gpu", side: "sell", owner: "zz", price: 1n, quantity: 1 })
      )
      assert.instanceOf(ghost, UnknownAccount)
      for (const bad of [
        { market: "gpu", side: "buy", owner: "a", price: 0n, quantity: 1 },
        { market: "gpu", side: "buy", owner: "a", price: 1n, quantity: 0 },
        { market: "", side: "buy", owner: "a", price: 1n, quantity: 1 },
        { market: "gpu", side: "hold", owner: "a", price: 1n, quantity: 1 },
        { market: "gpu", side: "buy", owner: "a", price: 1n << 90n, quantity: 1_000_000 }
      ]) {
        assert.instanceOf(yield* Effect.flip(market.submit(bad as never)), InvalidInput)
      }
      const full = yield* Effect.flip(market.submit({ market: "gpu", side: "buy", owner: "b", price: 1n, quantity: 1 }))
      assert.instanceOf(full, MarketFull)
      assert.strictEqual(full.message, `market "gpu" already rests 2 orders`)
      const tooMany = yield* Effect.flip(
        market.submit({ market: "cpu", side: "sell", owner: "b", price: 1n, quantity: 1 })
      )
      assert.strictEqual(tooMany._tag === "MarketFull" && tooMany.what, "markets")
      assert.deepStrictEqual(
        { book: yield* market.book("gpu"), audit: yield* ledger.audit, a: yield* balance("a") },
        before
      )
      assert.deepStrictEqual(yield* balance("b"), { available: 100n, held: 0n })
    }).pipe(Effect.provide(live({ maxMarkets: 1, maxOrders: 2 })))
  )

  it.effect("an immediate order fills what crosses now and never rests; its unfilled escrow comes back", () =>
    Effect.gen(function* () {
      const { ledger, market } = yield* setup
      yield* market.submit({ market: "gpu", side: "sell", owner: "a", price: 10n, quantity: 2 })
      const bought = yield* market.submit({
        market: "gpu",
        side: "buy",
        owner: "c",
        price: 20n,
        quantity: 5,
        immediate: true
      })
      assert.deepStrictEqual(
        bought.fills.map((f) => [f.price, f.quantity]),
        [[10n, 2]]
      )
      assert.isUndefined(bought.resting)
      assert.deepStrictEqual(yield* balance("c"), { available: 80n, held: 0n })
      // A market sell: price 1 takes whatever bids rest; here none, so nothing happens.
      const sold = yield* market.submit({
        market: "gpu",
        side: "sell",
        owner: "b",
        price: 1n,
        quantity: 3,
        immediate: true
      })
      assert.deepStrictEqual(sold.fills, [])
      assert.deepStrictEqual(yield* market.book("gpu"), { bids: [], asks: [], nextId: 4, maxOrders: 10_000 })
      assert.strictEqual((yield* ledger.audit).holds, 0)
    }).pipe(Effect.provide(live()))
  )

  it.effect("fills are published with their market", () =>
    Effect.gen(function* () {
      const { market } = yield* setup
      const seen = yield* Effect.forkChild(market.fills.pipe(Stream.take(2), Stream.runCollect))
      for (let i = 0; i < 5; i++) yield* Effect.yieldNow
      yield* market.submit({ market: "gpu", side: "sell", owner: "a", price: 4n, quantity: 1 })
      yield* market.submit({ market: "gpu", side: "sell", owner: "b", price: 5n, quantity: 1 })
      yield* market.submit({ market: "gpu", side: "buy", owner: "c", price: 5n, quantity: 2 })
      const fills = yield* Fiber.join(seen)
      assert.deepStrictEqual(
        fills.map((f) => [f.market, f.seller, f.buyer, f.price]),
        [
          ["gpu", "a", "c", 4n],
          ["gpu", "b", "c", 5n]
        ]
      )
    }).pipe(Effect.provide(live()))
  )
})

// Conservation over random order sequences, including cancellations and owners' scopes closing.
const Op = Schema.Struct({
  op: Schema.Literals(["buy", "sell", "cancel", "close", "agent"]),
  owner: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 3 })),
  price: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 12 })),
  quantity: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 6 })),
  market: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 1 })),
  immediate: Schema.Boolean
})

describe("Marketplace conservation", () => {
  it.effect.prop(
    "money is conserved and every resting buy holds exactly its price × quantity",
    [Schema.Array(Op).check(Schema.isBetweenLength(10, 60))],
    ([ops]) =>
      Effect.gen(function* () {
        const { ledger, market } = yield* setup
        const scopes: Array<Scope.Closeable> = []
        for (const _ of names) scopes.push(yield* Scope.make())
        const placed: Array<{ market: string; id: number; owner: string }> = []
        for (const { op, owner, price, quantity, market: m, immediate } of ops) {
          const name = names[owner] ?? "a"
          const marketName = m === 0 ? "gpu" : "cpu"
          const before = yield* ledger.audit
          if (op === "buy" || op === "sell") {
            const exit = yield* Effect.exit(
              Scope.provide(scopes[owner]!)(
                market.submit({
                  market: marketName,
                  side: op,
                  owner: name,
                  price: BigInt(price * 3),
                  quantity,
                  immediate
                })
              )
            )
            if (Exit.isSuccess(exit)) placed.push({ market: marketName, id: exit.value.id, owner: name })
            else assert.deepStrictEqual(yield* ledger.audit, before)
          } else if (op === "cancel" && placed.length > 0) {
            const target = placed[(price * 7 + quantity) % placed.length]!
            // A third of the cancels come from the wrong owner and must change nothing.
            const who = quantity % 3 === 0 ? names[(owner + 1) % 4]! : target.owner
            const book = yield* market.book(target.market)
            const resting = [...book.bids, ...book.asks].some((r) => r.id === target.id && r.owner === who)
            const exit = yield* Effect.exit(market.cancel({ market: target.market, order: target.id, owner: who }))
            assert.strictEqual(Exit.isSuccess(exit), resting, "cancel succeeds exactly for the owner's resting order")
            if (Exit.isFailure(exit)) assert.deepStrictEqual(yield* ledger.audit, before)
          } else if (op === "agent") {
            // An agent places orders in its own scope and is interrupted after `quantity` turns, maybe mid-way.
            const agent = yield* Effect.forkChild(
              Effect.scoped(
                Effect.gen(function* () {
                  yield* market.submit({
                    market: marketName,
                    side: "buy",
                    owner: name,
                    price: BigInt(price * 3),
                    quantity
                  })
                  yield* Effect.yieldNow
                  yield* market.submit({
                    market: marketName,
                    side: "sell",
                    owner: name,
                    price: BigInt(price * 2),
                    quantity
                  })
                  return yield* Effect.never
                })
              )
            )
            for (let i = 0; i < quantity; i++) yield* Effect.yieldNow
            yield* Fiber.interrupt(agent)
          } else if (op === "close") {
            yield* Scope.close(scopes[owner]!, Exit.void)
            scopes[owner] = yield* Scope.make()
          }
          const totals = yield* ledger.audit
          assert.strictEqual(totals.supply, 400n)
          let escrow = 0n
          for (const n of names) {
            let mine = 0n
            for (const mk of ["gpu", "cpu"]) {
              const book = yield* market.book(mk)
              for (const bid of book.bids) if (bid.owner === n) mine += bid.price * BigInt(bid.quantity)
              for (const bid of book.bids)
                for (const ask of book.asks) {
                  assert.isTrue(bid.price < ask.price || bid.owner === ask.owner, "the book never crosses")
                }
            }
            assert.strictEqual((yield* balance(n)).held, mine)
            escrow += mine
          }
          assert.strictEqual(totals.held, escrow)
        }
        for (const scope of scopes) yield* Scope.close(scope, Exit.void)
        const end = yield* ledger.audit
        assert.strictEqual(end.held, 0n)
        assert.strictEqual(end.holds, 0)
      }).pipe(Effect.provide(live())),
    { arbitrary: { runs: 100 } }
  )
})
