import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Layer, Scope } from "effect"
import { TestClock } from "effect/testing"
import { InvalidInput } from "../../src/errors/index.ts"
import { AuctionHouse, bundleInit, bundleStep, CombinatorialHouse } from "../../src/economics/auction-house/index.ts"
import {
  AuctionClosed,
  AuctionExists,
  SearchLimitExceeded,
  TooManyAuctions,
  UnknownAuction
} from "../../src/economics/auctions/index.ts"
import { InsufficientFunds, Ledger, UnknownAccount } from "../../src/economics/ledger/index.ts"

const live = (maxOpen?: number) =>
  CombinatorialHouse.layerWith(maxOpen === undefined ? {} : { maxOpen }).pipe(Layer.provideMerge(Ledger.layer))

const setup = Effect.gen(function* () {
  const ledger = yield* Ledger
  for (const [name, money] of [
    ["seller", 0n],
    ["a", 100n],
    ["b", 100n],
    ["c", 100n],
    ["poor", 5n]
  ] as const) {
    yield* ledger.open(name)
    if (money > 0n) yield* ledger.mint({ account: name, amount: money })
  }
  return { ledger, house: yield* CombinatorialHouse }
})

const balance = (account: string) => Ledger.use((l) => l.balance(account))
const items = ["x", "y"]

describe("CombinatorialHouse", () => {
  it.effect("at the deadline, VCG winners pay the seller and every other hold is released", () =>
    Effect.gen(function* () {
      const { house, ledger } = yield* setup
      yield* house.open({ id: "lot", seller: "seller", items, duration: 1000 })
      yield* house.bid({ auction: "lot", bidder: "a", items: ["x", "y"], amount: 10n })
      yield* house.bid({ auction: "lot", bidder: "b", items: ["x"], amount: 6n })
      yield* house.bid({ auction: "lot", bidder: "c", items: ["y"], amount: 7n })
      assert.strictEqual((yield* ledger.audit).held, 23n)
      const outcome = yield* Effect.forkChild(house.outcome("lot"))
      yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(outcome)
      // b pays 10 − 7 = 3, c pays 10 − 6 = 4: each pays the harm it does to the others.
      assert.deepStrictEqual(result, {
        welfare: 13n,
        awards: [
          { bidder: "b", items: ["x"], bid: 6n, payment: 3n },
          { bidder: "c", items: ["y"], bid: 7n, payment: 4n }
        ]
      })
      assert.deepStrictEqual(yield* balance("a"), { available: 100n, held: 0n })
      assert.deepStrictEqual(yield* balance("b"), { available: 97n, held: 0n })
      assert.deepStrictEqual(yield* balance("c"), { available: 96n, held: 0n })
      assert.deepStrictEqual(yield* balance("seller"), { available: 7n, held: 0n })
      assert.deepStrictEqual(yield* ledger.audit, { supply: 305n, available: 305n, held: 0n, accounts: 5, holds: 0 })
      assert.deepStrictEqual(yield* house.outcome("lot"), result)
    }).pipe(Effect.provide(live()))
  )

  it.effect("OR-of-XOR bids escrow the sum of each group's largest bid; an OR winner pays VCG once", () =>
    Effect.gen(function* () {
      const { house, ledger } = yield* setup
      yield* house.open({ id: "lot", seller: "seller", items: ["x", "y", "z"], duration: 1000 })
      yield* house.bid({ auction: "lot", bidder: "a", items: ["x"], amount: 6n, xor: "left" })
      yield* house.bid({ auction: "lot", bidder: "a", items: ["x", "z"], amount: 9n, xor: "left" })
      yield* house.bid({ auction: "lot", bidder: "a", items: ["y"], amount: 6n, xor: "right" })
      // At most one bid of "left" and one of "right" win: a may owe 9 + 6.
      assert.deepStrictEqual(yield* balance("a"), { available: 85n, held: 15n })
      yield* house.bid({ auction: "lot", bidder: "b", items: ["x", "y", "z"], amount: 12n })
      const outcome = yield* Effect.forkChild(house.outcome("lot"))
      yield* TestClock.adjust("1 second")
      // a wins {x, z} and {y} (15 > 12) and pays b's 12, the harm it does, once.
      assert.deepStrictEqual(yield* Fiber.join(outcome), {
        welfare: 15n,
        awards: [{ bidder: "a", items: ["x", "z", "y"], bid: 15n, payment: 12n }]
      })
      assert.deepStrictEqual(yield* balance("a"), { available: 88n, held: 0n })
      assert.deepStrictEqual(yield* balance("seller"), { available: 12n, held: 0n })
      assert.strictEqual((yield* ledger.audit).held, 0n)
    }).pipe(Effect.provide(live()))
  )

  it.effect("XOR bids escrow only the bidder's largest bid", () =>
    Effect.gen(function* () {
      const { house } = yield* setup
      yield* house.open({ id: "lot", seller: "seller", items, duration: 1000 })
      yield* house.bid({ auction: "lot", bidder: "a", items: ["x"], amount: 30n })
      yield* house.bid({ auction: "lot", bidder: "a", items: ["y"], amount: 20n })
      assert.deepStrictEqual(yield* balance("a"), { available: 70n, held: 30n })
      yield* house.bid({ auction: "lot", bidder: "a", items: ["x", "y"], amount: 45n })
      assert.deepStrictEqual(yield* balance("a"), { available: 55n, held: 45n })
      yield* TestClock.adjust("1 second")
      const result = yield* house.outcome("lot")
      assert.deepStrictEqual(
        result.awards.map((w) => [w.bidder, w.payment]),
        [["a", 0n]]
      )
      assert.deepStrictEqual(yield* balance("a"), { available: 100n, held: 0n })
    }).pipe(Effect.provide(live()))
  )

  it.effect("when winner determination exceeds its limit, every hold is released and outcome fails typed", () =>
    Effect.gen(function* () {
      const { house, ledger } = yield* setup
      yield* house.open({ id: "lot", seller: "seller", items, duration: 1000, maxNodes: 1 })
      yield* house.bid({ auction: "lot", bidder: "a", items: ["x", "y"], amount: 10n })
      yield* house.bid({ auction: "lot", bidder: "b", items: ["x"], amount: 6n })
      yield* house.bid({ auction: "lot", bidder: "c", items: ["y"], amount: 7n })
      yield* TestClock.adjust("1 second")
      const error = yield* Effect.flip(house.outcome("lot"))
      assert.instanceOf(error, SearchLimitExceeded)
      assert.strictEqual(error.limit, "search nodes")
      assert.deepStrictEqual(yield* ledger.audit, { supply: 305n, available: 305n, held: 0n, accounts: 5, holds: 0 })
    }).pipe(Effect.provide(live()))
  )

  it.effect("every failed bid or open is typed and leaves escrow untouched", () =>
    Effect.gen(function* () {
      const { house, ledger } = yield* setup
      yield* house.open({ id: "lot", seller: "seller", items, duration: 1000, maxBids: 2 })
      yield* house.bid({ auction: "lot", bidder: "a", items: ["x"], amount: 10n })
      assert.instanceOf(
        yield* Effect.flip(house.bid({ auction: "lot", bidder: "poor", items: ["x"], amount: 9n })),
        InsufficientFunds
      )
      assert.instanceOf(
        yield* Effect.flip(house.bid({ auction: "lot", bidder: "zz", items: ["x"], amount: 9n })),
        UnknownAccount
      )
      assert.instanceOf(
        yield* Effect.flip(house.bid({ auction: "nope", bidder: "a", items: ["x"], amount: 9n })),
        UnknownAuction
      )
      const notOnSale = yield* Effect.flip(house.bid({ auction: "lot", bidder: "b", items: ["z"], amount: 9n }))
      assert.strictEqual(notOnSale.message, `CombinatorialHouse.bid: invalid input: item "z" is not on sale`)
      assert.instanceOf(
        yield* Effect.flip(house.bid({ auction: "lot", bidder: "b", items: [], amount: 9n })),
        InvalidInput
      )
      const huge = yield* Effect.flip(house.bid({ auction: "lot", bidder: "b", items: ["y"], amount: 1n << 60n }))
      assert.instanceOf(huge, SearchLimitExceeded)
      yield* house.bid({ auction: "lot", bidder: "b", items: ["y"], amount: 5n })
      assert.instanceOf(
        yield* Effect.flip(house.bid({ auction: "lot", bidder: "c", items: ["y"], amount: 9n })),
        AuctionClosed
      )
      assert.instanceOf(
        yield* Effect.flip(house.open({ id: "lot", seller: "seller", items, duration: 5 })),
        AuctionExists
      )
      assert.instanceOf(
        yield* Effect.flip(house.open({ id: "m", seller: "nobody", items, duration: 5 })),
        UnknownAccount
      )
      assert.instanceOf(
        yield* Effect.flip(house.open({ id: "m", seller: "seller", items: [], duration: 5 })),
        InvalidInput
      )
      assert.deepStrictEqual(yield* balance("poor"), { available: 5n, held: 0n })
      assert.deepStrictEqual(yield* balance("c"), { available: 100n, held: 0n })
      assert.strictEqual((yield* ledger.audit).held, 15n)
      yield* TestClock.adjust("1 second")
      const late = yield* Effect.flip(house.bid({ auction: "lot", bidder: "c", items: ["y"], amount: 9n }))
      assert.instanceOf(late, AuctionClosed)
      assert.strictEqual(late.deadline, 1000)
      assert.strictEqual((yield* ledger.audit).held, 0n)
    }).pipe(Effect.provide(live()))
  )

  it.effect("at most maxOpen auctions run at once", () =>
    Effect.gen(function* () {
      const { house } = yield* setup
      yield* house.open({ id: "one", seller: "seller", items, duration: 1000 })
      const error = yield* Effect.flip(house.open({ id: "two", seller: "seller", items, duration: 1000 }))
      assert.instanceOf(error, TooManyAuctions)
      assert.strictEqual(error.message, `cannot open auction "two": 1 auctions are already open`)
      yield* TestClock.adjust("1 second")
      yield* house.open({ id: "two", seller: "seller", items, duration: 1000 })
    }).pipe(Effect.provide(live(1)))
  )

  it.effect("closing the house releases every escrow", () =>
    Effect.gen(function* () {
      const ledger = yield* Ledger
      const scope = yield* Scope.make()
      const house = Context.get(yield* Layer.buildWithScope(CombinatorialHouse.layer, scope), CombinatorialHouse)
      yield* ledger.open("seller")
      yield* ledger.open("a")
      yield* ledger.mint({ account: "a", amount: 100n })
      yield* house.open({ id: "lot", seller: "seller", items, duration: 1000 })
      yield* house.bid({ auction: "lot", bidder: "a", items: ["x"], amount: 60n })
      yield* Scope.close(scope, Exit.void)
      assert.deepStrictEqual(yield* ledger.balance("a"), { available: 100n, held: 0n })
    }).pipe(Effect.provide(Ledger.layer))
  )

  it("the pure step ignores an early Close and settles once", () => {
    const state = bundleInit({ id: "lot", seller: "s", items, duration: 10 }, 0)
    assert.deepStrictEqual(bundleStep(state, { _tag: "Close", at: 5 }).outputs, [])
    const closed = bundleStep(state, { _tag: "Close", at: 10 })
    assert.strictEqual(closed.outputs[0]?._tag, "Settled")
    assert.deepStrictEqual(bundleStep(closed.state, { _tag: "Close", at: 11 }).outputs, [])
  })
})

describe("AuctionHouse bounds", () => {
  it.effect("at most maxOpen auctions run at once", () =>
    Effect.gen(function* () {
      const ledger = yield* Ledger
      const house = yield* AuctionHouse
      yield* ledger.open("seller")
      const spec = { kind: "first-price", seller: "seller", reserve: 1n, duration: 100 } as const
      yield* house.open({ ...spec, id: "one" })
      yield* house.open({ ...spec, id: "two" })
      assert.instanceOf(yield* Effect.flip(house.open({ ...spec, id: "three" })), TooManyAuctions)
      yield* TestClock.adjust("100 millis")
      yield* house.open({ ...spec, id: "three" })
    }).pipe(Effect.provide(AuctionHouse.layerWith({ maxOpen: 2 }).pipe(Layer.provideMerge(Ledger.layer))))
  )
})
