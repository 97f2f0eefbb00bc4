import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Layer, Scope } from "effect"
import { TestClock } from "effect/testing"
import { InvalidInput } from "../../src/errors/index.ts"
import { AuctionHouse } from "../../src/economics/auction-house/index.ts"
import {
  AuctionClosed,
  AuctionExists,
  BelowReserve,
  BidTooLow,
  UnknownAuction,
  WrongAuctionKind
} from "../../src/economics/auctions/index.ts"
import { InsufficientFunds, Ledger, UnknownAccount } from "../../src/economics/ledger/index.ts"

const Live = AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.layer))

const setup = Effect.gen(function* () {
  const ledger = yield* Ledger
  for (const [name, money] of [
    ["seller", 0n],
    ["a", 100n],
    ["b", 100n],
    ["c", 10n]
  ] as const) {
    yield* ledger.open(name)
    if (money > 0n) yield* ledger.mint({ account: name, amount: money })
  }
  return { ledger, house: yield* AuctionHouse }
})

const available = (account: string) => Ledger.use((l) => l.balance(account))

describe("AuctionHouse", () => {
  it.effect("English: the highest bidder pays at the deadline; outbid escrow is released at once", () =>
    Effect.gen(function* () {
      const { house, ledger } = yield* setup
      yield* house.open({ kind: "english", id: "lot", seller: "seller", reserve: 10n, increment: 5n, duration: 1000 })
      yield* house.bid({ auction: "lot", bidder: "a", amount: 20n })
      assert.deepStrictEqual(yield* available("a"), { available: 80n, held: 20n })
      yield* house.bid({ auction: "lot", bidder: "b", amount: 30n })
      assert.deepStrictEqual(yield* available("a"), { available: 100n, held: 0n })
      yield* house.bid({ auction: "lot", bidder: "b", amount: 40n })
      assert.deepStrictEqual(yield* available("b"), { available: 60n, held: 40n })
      const outcome = yield* Effect.forkChild(house.outcome("lot"))
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual((yield* Fiber.join(outcome)).award, { winner: "b", bid: 40n, payment: 40n })
      assert.deepStrictEqual(yield* available("b"), { available: 60n, held: 0n })
      assert.deepStrictEqual(yield* available("seller"), { available: 40n, held: 0n })
      assert.strictEqual((yield* ledger.audit).held, 0n)
    }).pipe(Effect.provide(Live))
  )

  it.effect("English soft close: a late bid extends the deadline", () =>
    Effect.gen(function* () {
      const { house } = yield* setup
      yield* house.open({
        kind: "english",
        id: "lot",
        seller: "seller",
        reserve: 10n,
        increment: 5n,
        duration: 1000,
        softClose: { window: 100, extension: 300, maxDuration: 2000 }
      })
      yield* TestClock.adjust("950 millis")
      yield* house.bid({ auction: "lot", bidder: "a", amount: 20n })
      yield* TestClock.adjust("100 millis")
      yield* house.bid({ auction: "lot", bidder: "b", amount: 25n })
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* house.outcome("lot")).award?.winner, "b")
    }).pipe(Effect.provide(Live))
  )

  it.effect("every failed bid is a typed error and leaves escrow untouched", () =>
    Effect.gen(function* () {
      const { house, ledger } = yield* setup
      yield* house.open({ kind: "english", id: "lot", seller: "seller", reserve: 10n, increment: 5n, duration: 1000 })
      assert.instanceOf(yield* Effect.flip(house.bid({ auction: "lot", bidder: "a", amount: 5n })), BelowReserve)
      yield* house.bid({ auction: "lot", bidder: "a", amount: 50n })
      assert.instanceOf(yield* Effect.flip(house.bid({ auction: "lot", bidder: "b", amount: 52n })), BidTooLow)
      const poor = yield* Effect.flip(house.bid({ auction: "lot", bidder: "c", amount: 60n }))
      assert.instanceOf(poor, InsufficientFunds)
      assert.instanceOf(yield* Effect.flip(house.bid({ auction: "nope", bidder: "a", amount: 60n })), UnknownAuction)
      assert.instanceOf(yield* Effect.flip(house.bid({ auction: "lot", bidder: "zz", amount: 60n })), UnknownAccount)
      assert.instanceOf(yield* Effect.flip(house.bid({ auction: "lot", bidder: "a", amount: -1n })), InvalidInput)
      assert.instanceOf(yield* Effect.flip(house.take({ auction: "lot", bidder: "a" })), WrongAuctionKind)
      assert.deepStrictEqual(yield* available("c"), { available: 10n, held: 0n })
      assert.deepStrictEqual(yield* available("b"), { available: 100n, held: 0n })
      assert.strictEqual((yield* ledger.audit).held, 50n)
      yield* TestClock.adjust("1 second")
      const late = yield* Effect.flip(house.bid({ auction: "lot", bidder: "b", amount: 90n }))
      assert.instanceOf(late, AuctionClosed)
      assert.strictEqual(
        late.message,
        `auction "lot" closed at 1000 ms and accepts no more bids or takes (this one came at 1000 ms); ` +
          `read its result with outcome("lot")`
      )
      const unknown = yield* Effect.flip(house.bid({ auction: "nope", bidder: "b", amount: 90n }))
      assert.strictEqual(unknown.message, `auction "nope" does not exist: check the id, or list the open auctions`)
      assert.strictEqual((yield* ledger.audit).held, 0n)
      assert.instanceOf(
        yield* Effect.flip(
          house.open({
            kind: "english",
            id: "lot",
            seller: "seller",
            reserve: 1n,
            increment: 1n,
            duration: 10
          })
        ),
        AuctionExists
      )
      assert.instanceOf(
        yield* Effect.flip(
          house.open({
            kind: "english",
            id: "x",
            seller: "nobody",
            reserve: 1n,
            increment: 1n,
            duration: 10
          })
        ),
        UnknownAccount
      )
      assert.instanceOf(yield* Effect.flip(house.open({ kind: "english", id: "y" } as never)), InvalidInput)
    }).pipe(Effect.provide(Live))
  )

  it.effect("a bid at the deadline instant is rejected as closed", () =>
    Effect.gen(function* () {
      const { house } = yield* setup
      yield* house.open({ kind: "second-price", id: "lot", seller: "seller", reserve: 10n, duration: 1000 })
      yield* TestClock.setTime(999)
      yield* house.bid({ auction: "lot", bidder: "a", amount: 20n })
      // The deadline timer and a bid race at t = 1000: the step rejects any bid at `at >= deadline`.
      const entry = yield* Effect.forkChild(house.outcome("lot"))
      yield* TestClock.adjust("1 milli")
      assert.strictEqual((yield* Fiber.join(entry)).award?.payment, 10n)
    }).pipe(Effect.provide(Live))
  )

  it.effect("Vickrey: the winner's escrow pays the second price and the rest comes back", () =>
    Effect.gen(function* () {
      const { house, ledger } = yield* setup
      yield* house.open({ kind: "second-price", id: "lot", seller: "seller", reserve: 10n, duration: 1000 })
      yield* house.bid({ auction: "lot", bidder: "a", amount: 70n })
      yield* house.bid({ auction: "lot", bidder: "b", amount: 45n })
      const dup = yield* Effect.flip(house.bid({ auction: "lot", bidder: "a", amount: 80n }))
      assert.strictEqual(dup._tag, "DuplicateBid")
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual((yield* house.outcome("lot")).award, { winner: "a", bid: 70n, payment: 45n })
      assert.deepStrictEqual(yield* available("a"), { available: 55n, held: 0n })
      assert.deepStrictEqual(yield* available("b"), { available: 100n, held: 0n })
      assert.deepStrictEqual(yield* available("seller"), { available: 45n, held: 0n })
      assert.strictEqual((yield* ledger.audit).supply, 210n)
    }).pipe(Effect.provide(Live))
  )

  it.effect("first-price with no bid at the reserve ends unsold", () =>
    Effect.gen(function* () {
      const { house } = yield* setup
      yield* house.open({ kind: "first-price", id: "lot", seller: "seller", reserve: 10n, duration: 1000 })
      yield* TestClock.adjust("1 second")
      assert.isUndefined((yield* house.outcome("lot")).award)
      assert.instanceOf(yield* Effect.flip(house.outcome("nope")), UnknownAuction)
    }).pipe(Effect.provide(Live))
  )

  it.effect("Dutch: the first taker pays the clock price at once; later takers are rejected", () =>
    Effect.gen(function* () {
      const { house } = yield* setup
      yield* house.open({
        kind: "dutch",
        id: "lot",
        seller: "seller",
        startPrice: 100n,
        decrement: 10n,
        tick: 1000,
        reserve: 40n,
        duration: 10_000
      })
      assert.instanceOf(yield* Effect.flip(house.take({ auction: "lot", bidder: "c" })), InsufficientFunds)
      assert.instanceOf(yield* Effect.flip(house.bid({ auction: "lot", bidder: "a", amount: 5n })), WrongAuctionKind)
      yield* TestClock.adjust("3 seconds")
      assert.strictEqual(yield* house.take({ auction: "lot", bidder: "a" }), 70n)
      yield* TestClock.adjust("500 millis")
      const sold = yield* Effect.flip(house.take({ auction: "lot", bidder: "b" }))
      assert.instanceOf(sold, AuctionClosed)
      assert.deepStrictEqual({ at: sold.at, deadline: sold.deadline }, { at: 3500, deadline: 3000 })
      assert.deepStrictEqual(yield* available("a"), { available: 30n, held: 0n })
      assert.deepStrictEqual(yield* available("seller"), { available: 70n, held: 0n })
    }).pipe(Effect.provide(Live))
  )

  it.effect("closing the house releases every escrow", () =>
    Effect.gen(function* () {
      const ledger = yield* Ledger
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(AuctionHouse.layer, scope)
      const house = Context.get(context, AuctionHouse)
      yield* ledger.open("seller")
      yield* ledger.open("a")
      yield* ledger.mint({ account: "a", amount: 100n })
      yield* house.open({ kind: "first-price", id: "lot", seller: "seller", reserve: 1n, duration: 1000 })
      yield* house.bid({ auction: "lot", bidder: "a", amount: 60n })
      assert.strictEqual((yield* ledger.audit).held, 60n)
      yield* Scope.close(scope, Exit.void)
      assert.deepStrictEqual(yield* ledger.balance("a"), { available: 100n, held: 0n })
    }).pipe(Effect.provide(Ledger.layer))
  )
})
