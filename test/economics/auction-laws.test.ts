/**
 * The laws of the single-item mechanisms as properties: Vickrey truthfulness, and money
 * conservation through every AuctionHouse path — each kind, rejected and accepted bids, takes,
 * drop-outs, settlement, and cancellation (the house closing with auctions still open).
 */
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Schema, Scope } from "effect"
import { TestClock } from "effect/testing"
import { AuctionHouse, type AuctionSpec } from "../../src/economics/auction-house/index.ts"
import { vickrey } from "../../src/economics/auctions/index.ts"
import { Ledger } from "../../src/economics/ledger/index.ts"

const Small = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 60 }))

describe("Vickrey", () => {
  const Case = Schema.Struct({ others: Schema.Array(Small).check(Schema.isMaxLength(6)), value: Small, bid: Small })
  const utility = (others: ReadonlyArray<number>, value: number, bid: number): number => {
    const bids = [
      ...others.map((amount, i) => ({ bidder: `o${i}`, amount: BigInt(amount) })),
      { bidder: "me", amount: BigInt(bid) }
    ]
    const award = vickrey({ bids, reserve: 1n }).award
    return award?.winner === "me" ? value - Number(award.payment) : 0
  }
  it.prop(
    "truthful: no bid above or below one's value does better",
    [Case],
    ([c]) => {
      assert.isAtLeast(utility(c.others, c.value, c.value), utility(c.others, c.value, c.bid))
    },
    { arbitrary: { runs: 500 } }
  )
})

const BIDDERS: ReadonlyArray<string> = ["a", "b", "c"]
const FUNDS = 80n
const specs: ReadonlyArray<AuctionSpec> = [
  { kind: "english", id: "english", seller: "seller", reserve: 5n, increment: 3n, duration: 1000 },
  { kind: "english-proxy", id: "proxy", seller: "seller", reserve: 5n, increment: 3n, duration: 1000 },
  {
    kind: "english-clock",
    id: "clock",
    seller: "seller",
    reserve: 5n,
    increment: 3n,
    tick: 50,
    entry: 200,
    duration: 1000
  },
  {
    kind: "dutch",
    id: "dutch",
    seller: "seller",
    startPrice: 90n,
    decrement: 5n,
    tick: 50,
    reserve: 5n,
    duration: 1000
  },
  { kind: "first-price", id: "first", seller: "seller", reserve: 5n, duration: 1000 },
  { kind: "second-price", id: "second", seller: "seller", reserve: 5n, duration: 1000 }
]
const Action = Schema.Struct({
  auction: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: specs.length - 1 })),
  bidder: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: BIDDERS.length - 1 })),
  op: Schema.Literals(["bid", "take", "drop"]),
  amount: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100 })),
  wait: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 120 }))
})
const Script = Schema.Struct({
  actions: Schema.Array(Action).check(Schema.isMaxLength(30)),
  // Close the house (cancelling what is still open) after this many ms, or let everything settle.
  cancelAfter: Schema.UndefinedOr(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 1500 })))
})

describe("AuctionHouse conserves money on every path", () => {
  it.effect.prop(
    "supply is constant, nothing stays held, the seller gets exactly the payments",
    [Script],
    ([script]) =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        yield* ledger.open("seller")
        for (const b of BIDDERS) {
          yield* ledger.open(b)
          yield* ledger.mint({ account: b, amount: FUNDS })
        }
        const scope = yield* Scope.make()
        const house = Context.get(yield* Layer.buildWithScope(AuctionHouse.layer, scope), AuctionHouse)
        for (const spec of specs) yield* house.open(spec)
        let elapsed = 0
        for (const action of script.actions) {
          if (script.cancelAfter !== undefined && elapsed + action.wait >= script.cancelAfter) break
          yield* TestClock.adjust(action.wait)
          elapsed += action.wait
          const auction = specs[action.auction]!.id
          const bidder = BIDDERS[action.bidder]!
          const call =
            action.op === "bid"
              ? house.bid({ auction, bidder, amount: BigInt(action.amount) })
              : action.op === "take"
                ? Effect.asVoid(house.take({ auction, bidder }))
                : house.drop({ auction, bidder })
          yield* Effect.ignore(call)
          const audit = yield* ledger.audit
          assert.strictEqual(audit.supply, FUNDS * BigInt(BIDDERS.length))
        }
        let paid = 0n
        if (script.cancelAfter === undefined) {
          yield* TestClock.adjust(2000)
          for (const spec of specs) {
            const award = (yield* house.outcome(spec.id)).award
            if (award === undefined) continue
            assert.isTrue(award.payment <= award.bid, `${spec.kind}: paid ${award.payment} above the bid ${award.bid}`)
            paid += award.payment
          }
        } else {
          const settled = (yield* house.list).filter((listing) => listing.status === "settled")
          paid = settled.reduce((sum, listing) => sum + (listing.award?.payment ?? 0n), 0n)
        }
        yield* Scope.close(scope, Exit.void)
        const audit = yield* ledger.audit
        assert.strictEqual(audit.supply, FUNDS * BigInt(BIDDERS.length))
        assert.strictEqual(audit.held, 0n)
        assert.strictEqual((yield* ledger.balance("seller")).available, paid)
        let left = 0n
        for (const b of BIDDERS) left += (yield* ledger.balance(b)).available
        assert.strictEqual(left + paid, FUNDS * BigInt(BIDDERS.length))
      }).pipe(Effect.provide(Layer.fresh(Ledger.layer))),
    { arbitrary: { runs: 60 } }
  )
})
