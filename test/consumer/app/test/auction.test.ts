/** An English auction's deadline under TestClock: no wall-clock wait, the same result every run. */
import { assert, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { AuctionHouse, Ledger } from "mabeam/economics"

const Economics = AuctionHouse.AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.Ledger.layer))

it.effect("an English auction closes at its deadline on the TestClock and escrows the winner's bid", () =>
  Effect.gen(function* () {
    const ledger = yield* Ledger.Ledger
    const house = yield* AuctionHouse.AuctionHouse
    for (const name of ["seller", "ann", "ben"]) yield* ledger.open(name)
    yield* ledger.mint({ account: "ann", amount: 100n })
    yield* ledger.mint({ account: "ben", amount: 100n })
    yield* house.open({ kind: "english", id: "lot", seller: "seller", reserve: 10n, increment: 5n, duration: 60_000 })
    yield* house.bid({ auction: "lot", bidder: "ann", amount: 20n })
    yield* house.bid({ auction: "lot", bidder: "ben", amount: 30n })
    const outcome = yield* Effect.forkChild(house.outcome("lot"))
    yield* TestClock.adjust("59 seconds")
    assert.isUndefined(outcome.pollUnsafe(), "still open one second before the deadline")
    yield* TestClock.adjust("1 second")
    const { award } = yield* Fiber.join(outcome)
    assert.strictEqual(award?.winner, "ben")
    assert.strictEqual(award?.payment, 30n)
    assert.strictEqual((yield* ledger.balance("ann")).available, 100n)
    assert.strictEqual((yield* ledger.balance("seller")).available, 30n)
  }).pipe(Effect.provide(Economics))
)
