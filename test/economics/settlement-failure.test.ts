/**
 * Issue 29 item 2: the auction drivers never die on a settlement failure. A ledger that refuses a
 * capture or a release (injected here by wrapping the real ledger) ends the auction typed and
 * listed `failed`, with every hold returned and money conserved.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { AgentSystem } from "../../src/agent/index.ts"
import { Auctioneer, AuctionHouse, CombinatorialHouse } from "../../src/economics/auction-house/index.ts"
import { Ledger, UnknownHold } from "../../src/economics/ledger/index.ts"

/** What the wrapped ledger refuses. */
export interface Refusals {
  capture: boolean
  release: boolean
}

/** The real ledger, but `capture` / `release` fail with `UnknownHold` while `refusals` says so. */
export const refusingLedger = (refusals: Refusals) =>
  Layer.effect(
    Ledger,
    Effect.map(Effect.service(Ledger), (ledger) =>
      Ledger.of({
        ...ledger,
        capture: (input) =>
          refusals.capture ? Effect.fail(new UnknownHold({ hold: input.hold })) : ledger.capture(input),
        release: (hold) => (refusals.release ? Effect.fail(new UnknownHold({ hold })) : ledger.release(hold))
      })
    )
  ).pipe(Layer.provide(Ledger.layer))

const accounts = [
  ["seller", 0n],
  ["a", 100n],
  ["b", 100n]
] as const

const setup = Effect.gen(function* () {
  const ledger = yield* Ledger
  for (const [name, money] of accounts) {
    yield* ledger.open(name)
    if (money > 0n) yield* ledger.mint({ account: name, amount: money })
  }
  return { ledger, house: yield* AuctionHouse }
})

const houseOver = (refusals: Refusals) => AuctionHouse.layer.pipe(Layer.provideMerge(refusingLedger(refusals)))

describe("AuctionHouse settlement failures", () => {
  const refusals: Refusals = { capture: true, release: false }
  it.effect(
    "a Dutch take whose payment the ledger refuses fails with SettlementFailed; the taker's escrow is returned",
    () =>
      Effect.gen(function* () {
        const { house, ledger } = yield* setup
        yield* house.open({
          kind: "dutch",
          id: "tulips",
          seller: "seller",
          startPrice: 50n,
          decrement: 5n,
          tick: 100,
          reserve: 10n,
          duration: 10_000
        })
        yield* TestClock.adjust("200 millis")
        const exit = yield* Effect.exit(house.take({ auction: "tulips", bidder: "a" }))
        assert.isTrue(Exit.isFailure(exit))
        const error = yield* Effect.flip(exit)
        assert.strictEqual(error._tag, "SettlementFailed")
        assert.deepStrictEqual(
          (yield* house.list).map((l) => [l.id, l.status, l.award]),
          [["tulips", "failed", undefined]]
        )
        assert.strictEqual((yield* Effect.flip(house.outcome("tulips")))._tag, "SettlementFailed")
        assert.deepStrictEqual(yield* ledger.balance("a"), { available: 100n, held: 0n })
        assert.deepStrictEqual(yield* ledger.balance("seller"), { available: 0n, held: 0n })
        const totals = yield* ledger.audit
        assert.strictEqual(totals.supply, 200n)
        assert.strictEqual(totals.held, 0n)
        // A second take finds the auction closed as failed.
        const late = yield* Effect.flip(house.take({ auction: "tulips", bidder: "b" }))
        assert.isTrue(late._tag === "AuctionClosed" && late.failed === true)
      }).pipe(Effect.provide(houseOver(refusals)))
  )

  it.effect(
    "an outbid escrow the ledger will not release is no defect: the bid stands, the hold is returned at the end",
    () => {
      const refusals: Refusals = { capture: false, release: true }
      return Effect.gen(function* () {
        const { house, ledger } = yield* setup
        yield* house.open({ kind: "english", id: "lot", seller: "seller", reserve: 10n, increment: 5n, duration: 1000 })
        yield* house.bid({ auction: "lot", bidder: "a", amount: 20n })
        // Outbidding `a` tries to release its escrow; the ledger refuses.
        const exit = yield* Effect.exit(house.bid({ auction: "lot", bidder: "b", amount: 30n }))
        assert.isTrue(Exit.isSuccess(exit))
        assert.deepStrictEqual(yield* ledger.balance("a"), { available: 80n, held: 20n })
        assert.deepStrictEqual(yield* ledger.balance("b"), { available: 70n, held: 30n })
        refusals.release = false
        const outcome = yield* Effect.forkChild(house.outcome("lot"))
        yield* TestClock.adjust("1 second")
        const settled = yield* Fiber.join(outcome)
        assert.deepStrictEqual([settled.award?.winner, settled.award?.payment], ["b", 30n])
        assert.deepStrictEqual(yield* ledger.balance("a"), { available: 100n, held: 0n })
        assert.deepStrictEqual(yield* ledger.balance("b"), { available: 70n, held: 0n })
        assert.deepStrictEqual(yield* ledger.balance("seller"), { available: 30n, held: 0n })
        const totals = yield* ledger.audit
        assert.strictEqual(totals.supply, 200n)
        assert.strictEqual(totals.held, 0n)
        assert.deepStrictEqual(
          (yield* house.list).map((l) => l.status),
          ["settled"]
        )
      }).pipe(Effect.provide(houseOver(refusals)))
    }
  )
})

describe("CombinatorialHouse settlement failures", () => {
  it.effect("a VCG payment the ledger refuses ends the auction SettlementFailed with every hold returned", () =>
    Effect.gen(function* () {
      const ledger = yield* Ledger
      for (const [name, money] of accounts) {
        yield* ledger.open(name)
        if (money > 0n) yield* ledger.mint({ account: name, amount: money })
      }
      const house = yield* CombinatorialHouse
      yield* house.open({ id: "slots", seller: "seller", items: ["x", "y"], duration: 1000 })
      yield* house.bid({ auction: "slots", bidder: "a", items: ["x", "y"], amount: 10n })
      yield* house.bid({ auction: "slots", bidder: "b", items: ["x"], amount: 6n })
      assert.strictEqual((yield* ledger.audit).held, 16n)
      const outcome = yield* Effect.forkChild(Effect.exit(house.outcome("slots")))
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.join(outcome)
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual((yield* Effect.flip(exit))._tag, "SettlementFailed")
      assert.deepStrictEqual(yield* ledger.balance("a"), { available: 100n, held: 0n })
      assert.deepStrictEqual(yield* ledger.balance("b"), { available: 100n, held: 0n })
      assert.deepStrictEqual(yield* ledger.balance("seller"), { available: 0n, held: 0n })
      const totals = yield* ledger.audit
      assert.strictEqual(totals.supply, 200n)
      assert.strictEqual(totals.held, 0n)
      const late = yield* Effect.flip(house.bid({ auction: "slots", bidder: "a", items: ["x"], amount: 20n }))
      assert.isTrue(late._tag === "AuctionClosed" && late.failed === true)
    }).pipe(
      Effect.provide(
        CombinatorialHouse.layer.pipe(Layer.provideMerge(refusingLedger({ capture: true, release: false })))
      )
    )
  )
})

describe("Auctioneer settlement failures", () => {
  it.effect(
    "a Dutch take whose payment the ledger refuses is refused with SettlementFailed; the status says failed",
    () =>
      Effect.gen(function* () {
        const ledger = yield* Ledger
        for (const [name, money] of accounts) {
          yield* ledger.open(name)
          if (money > 0n) yield* ledger.mint({ account: name, amount: money })
        }
        const system = yield* AgentSystem
        const lot = yield* system.spawn(
          Auctioneer.make({
            kind: "dutch",
            id: "lot",
            seller: "seller",
            startPrice: 90n,
            decrement: 10n,
            tick: 100,
            reserve: 20n,
            duration: 1000
          })
        )
        yield* TestClock.adjust("300 millis")
        const error = yield* Effect.flip(Auctioneer.take(lot, { bidder: "a" }))
        assert.strictEqual(error._tag, "SettlementFailed")
        const status = yield* Auctioneer.status(lot)
        assert.strictEqual(status.failed, true)
        assert.deepStrictEqual(yield* ledger.balance("a"), { available: 100n, held: 0n })
        assert.deepStrictEqual(yield* ledger.balance("seller"), { available: 0n, held: 0n })
        const totals = yield* ledger.audit
        assert.strictEqual(totals.supply, 200n)
        assert.strictEqual(totals.held, 0n)
        assert.strictEqual((yield* Effect.flip(Auctioneer.take(lot, { bidder: "b" })))._tag, "AuctionClosed")
      }).pipe(
        Effect.provide(
          Layer.mergeAll(
            refusingLedger({ capture: true, release: false }),
            AgentSystem.layerWith({ root: { intensity: { maxRestarts: 100, within: "1 minute" } } })
          )
        )
      )
  )
})
