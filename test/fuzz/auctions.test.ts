/**
 * Garbage at the public boundary of the auction house: open / bid / take only succeed or fail with
 * a typed error (never a defect, never a hang: deadlines run on the TestClock), and a refused call
 * moves no money (ledger totals and balances unchanged). `RUNS` (100) inputs per boundary.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { AuctionHouse, Ledger, MAX_AMOUNT } from "../../src/economics/index.ts"
import { Garbage, outcome, RUNS } from "../resources/fixtures.ts"

const options = { arbitrary: { runs: RUNS, seed: 41 } }
const or = <const L extends ReadonlyArray<string | number | bigint>>(literals: L) =>
  Schema.Union([Schema.Literals(literals), Garbage])
const Amount = Schema.Union([Schema.Literals([0n, 1n, 7n, 50n, 1000n, -1n, MAX_AMOUNT + 1n]), Schema.BigInt, Garbage])
const Millis = or([1, 100, 1000, 0, -1, 1.5, 365 * 24 * 3600 * 1000 + 1])
const Spec = Schema.Struct({
  kind: or(["english", "dutch", "first-price", "second-price"]),
  id: or(["e", "d", "s", "new"]),
  seller: or(["seller", "bidder", "nobody"]),
  reserve: Amount,
  increment: Amount,
  startPrice: Amount,
  decrement: Amount,
  tick: Millis,
  duration: Millis,
  maxBids: or([1, 2, 0, 100_001]),
  softClose: Schema.Union([Garbage, Schema.Struct({ window: Millis, extension: Millis, maxDuration: Millis })])
})
const layer = Layer.fresh(AuctionHouse.AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.Ledger.layer)))

const snapshot = Effect.gen(function* () {
  const ledger = yield* Ledger.Ledger
  const show = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))
  return show({
    audit: yield* ledger.audit,
    balances: yield* Effect.forEach(["seller", "bidder"], (a) => ledger.balance(a))
  })
})

const allowed = [
  "InvalidInput",
  "AuctionExists",
  "TooManyAuctions",
  "UnknownAccount",
  "UnknownAuction",
  "WrongAuctionKind",
  "InsufficientFunds",
  "BelowReserve",
  "BidTooLow",
  "AuctionClosed",
  "DuplicateBid"
]

/** Three auctions open (english `e`, dutch `d`, sealed `s`), then each call in turn. */
const unchangedOnFailure = (
  calls: ReadonlyArray<Effect.Effect<unknown, unknown, AuctionHouse.AuctionHouse | Ledger.Ledger>>
) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger.Ledger
    const house = yield* AuctionHouse.AuctionHouse
    yield* ledger.open("seller")
    yield* ledger.open("bidder")
    yield* ledger.mint({ account: "bidder", amount: 100n })
    yield* house.open({ kind: "english", id: "e", seller: "seller", reserve: 5n, increment: 1n, duration: 1000 })
    yield* house.open({
      kind: "dutch",
      id: "d",
      seller: "seller",
      startPrice: 50n,
      decrement: 1n,
      tick: 10,
      reserve: 1n,
      duration: 1000
    })
    yield* house.open({ kind: "second-price", id: "s", seller: "seller", reserve: 0n, duration: 1000 })
    for (const call of calls) {
      const before = yield* snapshot
      const tag = yield* outcome(call)
      assert.include(["ok", ...allowed], tag)
      if (tag !== "ok") assert.strictEqual(yield* snapshot, before)
    }
    const totals = yield* ledger.audit
    assert.strictEqual(totals.supply, 100n)
  }).pipe(Effect.provide(layer))

describe("auctions: fuzzed boundaries", () => {
  it.effect.prop(
    "AuctionHouse.open(spec with garbage fields) x100",
    [Spec],
    ([spec]) => unchangedOnFailure([Effect.flatMap(AuctionHouse.AuctionHouse, (h) => h.open(spec as never))]),
    options
  )

  it.effect.prop(
    "AuctionHouse.open(garbage) x100",
    [Garbage],
    ([spec]) => unchangedOnFailure([Effect.flatMap(AuctionHouse.AuctionHouse, (h) => h.open(spec as never))]),
    options
  )

  it.effect.prop(
    "AuctionHouse.bid / take({ auction, bidder, amount }) x100",
    [or(["e", "d", "s", "none"]), or(["bidder", "seller", "nobody"]), Amount],
    ([auction, bidder, amount]) =>
      unchangedOnFailure([
        Effect.flatMap(AuctionHouse.AuctionHouse, (h) => h.bid({ auction, bidder, amount } as never)),
        Effect.flatMap(AuctionHouse.AuctionHouse, (h) => h.take({ auction, bidder } as never))
      ]),
    options
  )

  it.effect.prop(
    "AuctionHouse.bid / take(garbage) x100",
    [Garbage, Garbage],
    ([a, b]) =>
      unchangedOnFailure([
        Effect.flatMap(AuctionHouse.AuctionHouse, (h) => h.bid(a as never)),
        Effect.flatMap(AuctionHouse.AuctionHouse, (h) => h.take(b as never))
      ]),
    options
  )

  it.effect.prop(
    "AuctionHouse.layerWith({ maxOpen: number }) x100",
    [Schema.Union([Schema.Number, Schema.Int])],
    ([maxOpen]) =>
      Effect.gen(function* () {
        const tag = yield* outcome(
          Effect.gen(function* () {
            const ledger = yield* Ledger.Ledger
            yield* ledger.open("seller")
            const house = yield* AuctionHouse.AuctionHouse
            yield* house.open({
              kind: "english",
              id: "e",
              seller: "seller",
              reserve: 5n,
              increment: 1n,
              duration: 1000
            })
            yield* house.open({
              kind: "english",
              id: "f",
              seller: "seller",
              reserve: 5n,
              increment: 1n,
              duration: 1000
            })
          }).pipe(
            Effect.provide(
              AuctionHouse.AuctionHouse.layerWith({ maxOpen }).pipe(Layer.provideMerge(Ledger.Ledger.layer))
            )
          )
        )
        assert.include(["ok", "InvalidInput", "TooManyAuctions"], tag)
      }),
    options
  )

  // Found by this suite (fixed): `layerWith` did not validate `maxOpen`; a string died building
  // `TooManyAuctions` once the bound was hit and NaN silently unbounded it. Now `InvalidInput`.
  it.effect('regression: AuctionHouse.layerWith({ maxOpen: "1" }) is refused with InvalidInput', () =>
    Effect.gen(function* () {
      const tag = yield* outcome(
        Effect.gen(function* () {
          yield* (yield* Ledger.Ledger).open("seller")
          const house = yield* AuctionHouse.AuctionHouse
          yield* house.open({ kind: "english", id: "e", seller: "seller", reserve: 5n, increment: 1n, duration: 1000 })
          yield* house.open({ kind: "english", id: "f", seller: "seller", reserve: 5n, increment: 1n, duration: 1000 })
        }).pipe(
          Effect.provide(
            AuctionHouse.AuctionHouse.layerWith({ maxOpen: "1" as unknown as number }).pipe(
              Layer.provideMerge(Ledger.Ledger.layer)
            )
          )
        )
      )
      assert.strictEqual(tag, "InvalidInput")
    })
  )
})
