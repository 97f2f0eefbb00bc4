/**
 * Settlement is all or nothing (issue 29): when the ledger refuses a capture part-way through a
 * settlement (the second winner of a VCG auction, the second hold of a winner), the payments
 * already made are reversed, so the failed auction leaves every bidder and the seller as before,
 * with money conserved. And the `Auctioneer` agent settles with its own `escrowAuthority` in
 * secure mode, like the houses.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Random } from "effect"
import { TestClock } from "effect/testing"
import { AgentSystem } from "../../src/agent/index.ts"
import { Auctioneer, AuctionHouse, CombinatorialHouse } from "../../src/economics/auction-house/index.ts"
import { Ledger, UnknownHold } from "../../src/economics/ledger/index.ts"
import { SecureMode, secureLayer, Tokens } from "../../src/security/index.ts"

/** The real ledger, but only the first `allowed.captures` captures go through; the rest fail. */
const ledgerAllowing = (allowed: { captures: number }) =>
  Layer.effect(
    Ledger,
    Effect.map(Effect.service(Ledger), (ledger) =>
      Ledger.of({
        ...ledger,
        capture: (input) =>
          allowed.captures-- > 0 ? ledger.capture(input) : Effect.fail(new UnknownHold({ hold: input.hold }))
      })
    )
  ).pipe(Layer.provide(Ledger.layer))

const openAccounts = Effect.gen(function* () {
  const ledger = yield* Ledger
  for (const name of ["seller", "alice", "bob", "carol"]) {
    yield* ledger.open(name)
    if (name !== "seller") yield* ledger.mint({ account: name, amount: 100n })
  }
  return ledger
})

/** Every account as it was before the auction, nothing held, supply unchanged. */
const untouched = (ledger: Ledger["Service"]) =>
  Effect.gen(function* () {
    for (const name of ["alice", "bob", "carol"])
      assert.deepStrictEqual(yield* ledger.balance(name), { available: 100n, held: 0n }, name)
    assert.deepStrictEqual(yield* ledger.balance("seller"), { available: 0n, held: 0n })
    const totals = yield* ledger.audit
    assert.strictEqual(totals.supply, 300n)
    assert.strictEqual(totals.held, 0n)
  })

describe("a settlement refused part-way is reversed", () => {
  it.effect("VCG: the first winner's payment goes back to it when the second winner's capture is refused", () =>
    Effect.gen(function* () {
      const ledger = yield* openAccounts
      const house = yield* CombinatorialHouse
      yield* house.open({ id: "slots", seller: "seller", items: ["x", "y"], duration: 1000 })
      // alice wins x (pays 4), bob wins y (pays 2): carol's bundle bid sets both prices.
      yield* house.bid({ auction: "slots", bidder: "alice", items: ["x"], amount: 10n })
      yield* house.bid({ auction: "slots", bidder: "bob", items: ["y"], amount: 8n })
      yield* house.bid({ auction: "slots", bidder: "carol", items: ["x", "y"], amount: 12n })
      const outcome = yield* Effect.forkChild(Effect.exit(house.outcome("slots")))
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.join(outcome)
      assert.strictEqual((yield* Effect.flip(exit))._tag, "SettlementFailed")
      yield* untouched(ledger)
    }).pipe(Effect.provide(CombinatorialHouse.layer.pipe(Layer.provideMerge(ledgerAllowing({ captures: 1 })))))
  )

  it.effect("VCG with every capture allowed settles and pays both winners (the same auction, control)", () =>
    Effect.gen(function* () {
      const ledger = yield* openAccounts
      const house = yield* CombinatorialHouse
      yield* house.open({ id: "slots", seller: "seller", items: ["x", "y"], duration: 1000 })
      yield* house.bid({ auction: "slots", bidder: "alice", items: ["x"], amount: 10n })
      yield* house.bid({ auction: "slots", bidder: "bob", items: ["y"], amount: 8n })
      yield* house.bid({ auction: "slots", bidder: "carol", items: ["x", "y"], amount: 12n })
      const outcome = yield* Effect.forkChild(house.outcome("slots"))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(outcome)
      assert.deepStrictEqual(yield* ledger.balance("seller"), { available: 6n, held: 0n })
      assert.strictEqual((yield* ledger.audit).supply, 300n)
    }).pipe(Effect.provide(CombinatorialHouse.layer.pipe(Layer.provideMerge(ledgerAllowing({ captures: 2 })))))
  )

  it.effect("English: a winner escrowed in two holds gets the first back when the second capture is refused", () =>
    Effect.gen(function* () {
      const ledger = yield* openAccounts
      const house = yield* AuctionHouse
      yield* house.open({ kind: "english", id: "lot", seller: "seller", reserve: 10n, increment: 5n, duration: 1000 })
      yield* house.bid({ auction: "lot", bidder: "alice", amount: 20n })
      yield* house.bid({ auction: "lot", bidder: "alice", amount: 40n })
      assert.deepStrictEqual(yield* ledger.balance("alice"), { available: 60n, held: 40n })
      const outcome = yield* Effect.forkChild(Effect.exit(house.outcome("lot")))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Effect.flip(yield* Fiber.join(outcome)))._tag, "SettlementFailed")
      assert.deepStrictEqual(
        (yield* house.list).map((l) => l.status),
        ["failed"]
      )
      yield* untouched(ledger)
    }).pipe(Effect.provide(AuctionHouse.layer.pipe(Layer.provideMerge(ledgerAllowing({ captures: 1 })))))
  )

  it.effect("Auctioneer: the same, and its status says failed", () =>
    Effect.gen(function* () {
      const ledger = yield* openAccounts
      const system = yield* AgentSystem
      const lot = yield* system.spawn(
        Auctioneer.make({ kind: "english", id: "lot", seller: "seller", reserve: 10n, increment: 5n, duration: 1000 })
      )
      yield* Auctioneer.bid(lot, { bidder: "alice", amount: 20n })
      yield* Auctioneer.bid(lot, { bidder: "alice", amount: 40n })
      assert.deepStrictEqual(yield* ledger.balance("alice"), { available: 60n, held: 40n })
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Auctioneer.status(lot)).failed, true)
      yield* untouched(ledger)
    }).pipe(Effect.scoped, Effect.provide(Layer.mergeAll(ledgerAllowing({ captures: 1 }), AgentSystem.layer)))
  )
})

describe("the Auctioneer's escrow authority in secure mode", () => {
  const Secure = secureLayer({
    authorization: { grants: { ops: ["ledger:*"], house: ["ledger:escrow:*"], mallory: ["ledger:hold:mallory"] } }
  }).pipe(Layer.orDie)
  const seeded = Layer.effect(Random.Random, Effect.service(Random.Random).pipe(Random.withSeed("auctioneer")))
  const App = Layer.mergeAll(Ledger.layer, AgentSystem.layer).pipe(Layer.provideMerge(Secure), Layer.provide(seeded))
  const as = (agent: string) =>
    Effect.gen(function* () {
      const token = yield* Effect.orDie((yield* Tokens).issue(agent))
      return (yield* SecureMode).actAs(token)
    })

  for (const [authority, settles] of [
    ["house", true],
    ["mallory", false]
  ] as const) {
    it.effect(`settles as its authority (${authority}): ${settles ? "paid" : "refused, every hold returned"}`, () =>
      Effect.gen(function* () {
        const ops = yield* as("ops")
        const ledger = yield* ops(openAccounts)
        const token = yield* Effect.orDie((yield* Tokens).issue(authority))
        // Spawned by ops, so bids escrow as ops; settlement runs as the authority only.
        const lot = yield* ops(
          (yield* AgentSystem).spawn(
            Auctioneer.make(
              { kind: "second-price", id: "lot", seller: "seller", reserve: 10n, duration: 1000 },
              { escrowAuthority: token }
            )
          )
        )
        yield* Auctioneer.bid(lot, { bidder: "alice", amount: 70n })
        yield* Auctioneer.bid(lot, { bidder: "bob", amount: 40n })
        yield* TestClock.adjust("1 second")
        const status = yield* Auctioneer.status(lot)
        if (settles) {
          assert.isUndefined(status.failed)
          assert.deepStrictEqual(yield* ledger.balance("alice"), { available: 60n, held: 0n })
          assert.deepStrictEqual(yield* ledger.balance("seller"), { available: 40n, held: 0n })
          assert.deepStrictEqual(yield* ledger.balance("bob"), { available: 100n, held: 0n })
        } else {
          assert.strictEqual(status.failed, true)
          yield* untouched(ledger)
        }
        assert.strictEqual((yield* ledger.audit).supply, 300n)
      }).pipe(Effect.scoped, Effect.provide(App))
    )
  }
})
