import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { AuctionHouse, CombinatorialHouse, RECENT_SETTLED } from "../../src/economics/auction-house/index.ts"
import { Ledger } from "../../src/economics/ledger/index.ts"

const Live = Layer.mergeAll(AuctionHouse.layer, CombinatorialHouse.layer).pipe(Layer.provideMerge(Ledger.layer))

const setup = Effect.gen(function* () {
  const ledger = yield* Ledger
  for (const [name, money] of [
    ["seller", 0n],
    ["a", 1_000n],
    ["b", 1_000n]
  ] as const) {
    yield* ledger.open(name)
    if (money > 0n) yield* ledger.mint({ account: name, amount: money })
  }
  return { house: yield* AuctionHouse, bundles: yield* CombinatorialHouse }
})

describe("AuctionHouse.list", () => {
  it.effect(
    "shows open auctions with bids, visible price and deadline; a settled one turns `settled` with its award",
    () =>
      Effect.gen(function* () {
        const { house } = yield* setup
        assert.deepStrictEqual(yield* house.list, [])
        yield* house.open({
          kind: "english",
          id: "eng",
          seller: "seller",
          reserve: 10n,
          increment: 5n,
          duration: 1_000
        })
        yield* house.open({ kind: "second-price", id: "sealed", seller: "seller", reserve: 10n, duration: 2_000 })
        yield* house.open({
          kind: "dutch",
          id: "clock",
          seller: "seller",
          startPrice: 100n,
          decrement: 10n,
          tick: 100,
          reserve: 50n,
          duration: 3_000
        })
        yield* house.bid({ auction: "eng", bidder: "a", amount: 20n })
        yield* house.bid({ auction: "eng", bidder: "b", amount: 30n })
        yield* house.bid({ auction: "sealed", bidder: "a", amount: 70n })
        yield* TestClock.adjust("250 millis")
        assert.deepStrictEqual(yield* house.list, [
          {
            id: "eng",
            kind: "english",
            seller: "seller",
            reserve: 10n,
            bids: 2,
            price: 30n,
            deadline: 1_000,
            status: "open",
            award: undefined
          },
          // Sealed bids stay secret: only their number shows.
          {
            id: "sealed",
            kind: "second-price",
            seller: "seller",
            reserve: 10n,
            bids: 1,
            price: undefined,
            deadline: 2_000,
            status: "open",
            award: undefined
          },
          // The Dutch clock price at 250 ms: 100 - 2 ticks of 10.
          {
            id: "clock",
            kind: "dutch",
            seller: "seller",
            reserve: 50n,
            bids: 0,
            price: 80n,
            deadline: 3_000,
            status: "open",
            award: undefined
          }
        ])
        yield* TestClock.adjust("1 second")
        const listed = yield* house.list
        assert.deepStrictEqual(
          listed.map((l) => [l.id, l.status]),
          [
            ["sealed", "open"],
            ["clock", "open"],
            ["eng", "settled"]
          ]
        )
        assert.deepStrictEqual(listed[2]?.award, { winner: "b", bid: 30n, payment: 30n })
        assert.strictEqual(yield* house.take({ auction: "clock", bidder: "a" }), 50n)
        yield* TestClock.adjust("1 second")
        const done = yield* house.list
        assert.deepStrictEqual(
          done.map((l) => [l.id, l.status, l.bids]),
          [
            ["eng", "settled", 2],
            ["clock", "settled", 1],
            ["sealed", "settled", 1]
          ]
        )
        // A sealed auction's award appears once it settled; a single bid pays the reserve.
        assert.deepStrictEqual(done[2]?.award, { winner: "a", bid: 70n, payment: 10n })
      }).pipe(Effect.provide(Live))
  )

  it.effect(`keeps only the last ${RECENT_SETTLED} settled auctions, oldest dropped first`, () =>
    Effect.gen(function* () {
      const { house } = yield* setup
      for (let i = 0; i < RECENT_SETTLED + 5; i++) {
        yield* house.open({ kind: "first-price", id: `lot-${i}`, seller: "seller", reserve: 1n, duration: 10 })
        yield* TestClock.adjust("10 millis")
      }
      yield* house.open({ kind: "first-price", id: "still-open", seller: "seller", reserve: 1n, duration: 1_000 })
      const listed = yield* house.list
      assert.strictEqual(listed.length, RECENT_SETTLED + 1)
      assert.deepStrictEqual(listed[0], {
        id: "still-open",
        kind: "first-price",
        seller: "seller",
        reserve: 1n,
        bids: 0,
        price: undefined,
        deadline: 1_250,
        status: "open",
        award: undefined
      })
      assert.strictEqual(listed[1]?.id, "lot-5")
      assert.strictEqual(listed.at(-1)?.id, `lot-${RECENT_SETTLED + 4}`)
      assert.isTrue(listed.slice(1).every((l) => l.status === "settled" && l.award === undefined))
    }).pipe(Effect.provide(Live))
  )
})

describe("CombinatorialHouse.list", () => {
  it.effect("shows open bundle auctions with their bid count; a settled one leaves the list", () =>
    Effect.gen(function* () {
      const { bundles } = yield* setup
      yield* bundles.open({ id: "slots", seller: "seller", items: ["gpu-1", "gpu-2"], duration: 1_000 })
      yield* bundles.bid({ auction: "slots", bidder: "a", items: ["gpu-1", "gpu-2"], amount: 10n })
      yield* bundles.bid({ auction: "slots", bidder: "b", items: ["gpu-1"], amount: 6n })
      assert.deepStrictEqual(yield* bundles.list, [
        { id: "slots", seller: "seller", items: ["gpu-1", "gpu-2"], bids: 2, deadline: 1_000 }
      ])
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* bundles.list, [])
      assert.strictEqual((yield* bundles.outcome("slots")).awards[0]?.bidder, "a")
    }).pipe(Effect.provide(Live))
  )
})
