import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Schema, Scope } from "effect"
import { TestClock } from "effect/testing"
import { Agent, type AgentRef, AgentSystem } from "../../src/agent/index.ts"
import { Auctioneer, type AuctionSpec } from "../../src/economics/auction-house/index.ts"
import { Ledger } from "../../src/economics/ledger/index.ts"

const Live = Layer.mergeAll(
  Ledger.layer,
  AgentSystem.layerWith({ root: { intensity: { maxRestarts: 100, within: "1 minute" } } })
)

/** The agents of every definition group, in group then start order (agents live under their definition's group). */
const agentChildren = (system: AgentSystem["Service"]) =>
  Effect.flatMap(system.supervisors, (all) =>
    Effect.map(
      Effect.forEach(all.slice(1), (group) => group.children),
      (lists) => lists.flat().map(({ id, restarts, running }) => ({ id, running, restarts }))
    )
  )

const settle = Effect.gen(function* () {
  for (let i = 0; i < 30; i++) yield* Effect.yieldNow
})

/** A bidder agent: asked to bid, it asks the auctioneer and answers "ok" or the refusal's tag. */
const BidNow = Agent.request("BidNow", { amount: Schema.BigInt }, Schema.String)
const TakeNow = Agent.request("TakeNow", {}, Schema.String)
const bidder = (auctioneer: AgentRef<Auctioneer.AuctioneerMessage>) =>
  Agent.make({
    name: "bidder",
    messages: Schema.Union([BidNow, TakeNow]),
    initial: () => undefined,
    handle: (_: undefined, msg, ctx) => {
      const attempt =
        msg._tag === "BidNow"
          ? Auctioneer.bid(auctioneer, { bidder: ctx.self.id, amount: msg.amount })
          : Auctioneer.take(auctioneer, { bidder: ctx.self.id })
      return attempt.pipe(
        Effect.match({ onFailure: (e) => e._tag, onSuccess: (paid) => (paid === undefined ? "ok" : `paid ${paid}`) }),
        Effect.map((answer) => {
          ctx.reply(msg, answer)
          return undefined
        })
      )
    }
  })

/** Crashes when told; linked to an auctioneer, it crashes the auctioneer too. */
const Blow = Agent.message("Blow", {})
const Fuse = Agent.make({
  name: "fuse",
  messages: Blow,
  initial: () => 0,
  handle: () => Effect.die(new Error("fuse blown"))
})

const setup = (spec: AuctionSpec) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    const system = yield* AgentSystem
    yield* ledger.open("seller")
    for (const name of ["a", "b", "c"]) {
      yield* ledger.open(name)
      yield* ledger.mint({ account: name, amount: 100n })
    }
    const auctioneer = yield* system.spawn(Auctioneer.make(spec), { id: "auctioneer" })
    const bidders = yield* Effect.forEach(["a", "b", "c"], (id) => system.spawn(bidder(auctioneer), { id }))
    return { ledger, system, auctioneer, bidders }
  })

const balance = (account: string) => Ledger.use((l) => l.balance(account))

describe("Auctioneer agent", () => {
  it.effect("bidder agents ask the auctioneer; at the deadline the Vickrey winner pays the second bid", () =>
    Effect.gen(function* () {
      const {
        ledger,
        auctioneer,
        bidders: [a, b, c]
      } = yield* setup({
        kind: "second-price",
        id: "lot",
        seller: "seller",
        reserve: 10n,
        duration: 1000
      })
      assert.strictEqual(yield* a!.ask(BidNow.make({ amount: 70n })), "ok")
      assert.strictEqual(yield* b!.ask(BidNow.make({ amount: 45n })), "ok")
      assert.strictEqual(yield* c!.ask(BidNow.make({ amount: 5n })), "BelowReserve")
      assert.strictEqual(yield* c!.ask(BidNow.make({ amount: 500n })), "InsufficientFunds")
      assert.strictEqual(yield* a!.ask(BidNow.make({ amount: 80n })), "DuplicateBid")
      assert.strictEqual(yield* c!.ask(TakeNow.make({})), "WrongAuctionKind")
      assert.strictEqual(yield* c!.ask(BidNow.make({ amount: -1n })), "InvalidInput")
      assert.deepStrictEqual(yield* Auctioneer.status(auctioneer), { deadline: 1000, outcome: undefined })
      assert.strictEqual((yield* ledger.audit).held, 115n)
      yield* TestClock.adjust("1 second")
      yield* settle
      assert.deepStrictEqual((yield* Auctioneer.status(auctioneer)).outcome, {
        award: { winner: "a", bid: 70n, payment: 45n }
      })
      assert.deepStrictEqual(yield* balance("a"), { available: 55n, held: 0n })
      assert.deepStrictEqual(yield* balance("b"), { available: 100n, held: 0n })
      assert.deepStrictEqual(yield* balance("seller"), { available: 45n, held: 0n })
      assert.strictEqual(yield* c!.ask(BidNow.make({ amount: 50n })), "AuctionClosed")
      assert.strictEqual((yield* ledger.audit).held, 0n)
    }).pipe(Effect.provide(Live))
  )

  it.effect("Dutch: the first bidder agent to take pays the clock price", () =>
    Effect.gen(function* () {
      const {
        bidders: [a, b]
      } = yield* setup({
        kind: "dutch",
        id: "lot",
        seller: "seller",
        startPrice: 90n,
        decrement: 10n,
        tick: 100,
        reserve: 20n,
        duration: 1000
      })
      yield* TestClock.adjust("300 millis")
      assert.strictEqual(yield* a!.ask(TakeNow.make({})), "paid 60")
      assert.strictEqual(yield* b!.ask(TakeNow.make({})), "AuctionClosed")
      assert.strictEqual(yield* b!.ask(BidNow.make({ amount: 60n })), "WrongAuctionKind")
      assert.deepStrictEqual(yield* balance("seller"), { available: 60n, held: 0n })
    }).pipe(Effect.provide(Live))
  )

  it.effect("a crashed auctioneer is restarted with every escrow of the crashed incarnation released", () =>
    Effect.gen(function* () {
      const {
        ledger,
        system,
        auctioneer,
        bidders: [a, b]
      } = yield* setup({
        kind: "english",
        id: "lot",
        seller: "seller",
        reserve: 10n,
        increment: 5n,
        duration: 1000
      })
      const fuse = yield* system.spawn(Fuse, { restart: "temporary" })
      yield* system.link(fuse, auctioneer)
      assert.strictEqual(yield* a!.ask(BidNow.make({ amount: 20n })), "ok")
      assert.strictEqual(yield* b!.ask(BidNow.make({ amount: 30n })), "ok")
      assert.strictEqual((yield* ledger.audit).held, 30n)
      yield* TestClock.adjust("400 millis")
      yield* fuse.tell({ _tag: "Blow" })
      yield* settle
      assert.deepStrictEqual(yield* ledger.audit, { supply: 300n, available: 300n, held: 0n, accounts: 4, holds: 0 })
      assert.deepStrictEqual(yield* agentChildren(system), [
        { id: "auctioneer", running: true, restarts: 1 },
        { id: "a", running: true, restarts: 0 },
        { id: "b", running: true, restarts: 0 },
        { id: "c", running: true, restarts: 0 }
      ])
      // The restarted auctioneer keeps the original deadline; the void bids are placed again.
      assert.deepStrictEqual(yield* Auctioneer.status(auctioneer), { deadline: 1000, outcome: undefined })
      assert.strictEqual(yield* a!.ask(BidNow.make({ amount: 25n })), "ok")
      yield* TestClock.adjust("600 millis")
      yield* settle
      assert.deepStrictEqual((yield* Auctioneer.status(auctioneer)).outcome, {
        award: { winner: "a", bid: 25n, payment: 25n }
      })
      // A crash after settlement never sells twice.
      const fuse2 = yield* system.spawn(Fuse, { restart: "temporary" })
      yield* system.link(fuse2, auctioneer)
      yield* fuse2.tell({ _tag: "Blow" })
      yield* settle
      assert.strictEqual((yield* agentChildren(system))[0]?.restarts, 2)
      assert.deepStrictEqual((yield* Auctioneer.status(auctioneer)).outcome, {
        award: { winner: "a", bid: 25n, payment: 25n }
      })
      assert.deepStrictEqual(yield* balance("seller"), { available: 25n, held: 0n })
      assert.deepStrictEqual(yield* balance("a"), { available: 75n, held: 0n })
      assert.deepStrictEqual(yield* ledger.audit, { supply: 300n, available: 300n, held: 0n, accounts: 4, holds: 0 })
    }).pipe(Effect.provide(Live))
  )

  it.effect("stopping the agent system releases every escrow", () =>
    Effect.gen(function* () {
      const ledger = yield* Ledger
      const scope = yield* Scope.make()
      yield* Effect.gen(function* () {
        const {
          bidders: [a]
        } = yield* setup({ kind: "first-price", id: "lot", seller: "seller", reserve: 1n, duration: 1000 })
        assert.strictEqual(yield* a!.ask(BidNow.make({ amount: 60n })), "ok")
        assert.strictEqual((yield* ledger.audit).held, 60n)
      }).pipe(Effect.provide(AgentSystem.layer), Scope.provide(scope))
      yield* Scope.close(scope, Exit.void)
      assert.deepStrictEqual(yield* balance("a"), { available: 100n, held: 0n })
    }).pipe(Effect.provide(Ledger.layer))
  )
})

// Escrow is always captured or released, whatever the bids and whenever the auctioneer crashes.
const Step = Schema.Struct({
  bidder: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 2 })),
  amount: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 130 })),
  wait: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 250 })),
  crash: Schema.Boolean
})

describe("Auctioneer crashes", () => {
  it.effect.prop(
    "after settlement no money is held, and only the winner paid, exactly its payment",
    [Schema.Array(Step).check(Schema.isBetweenLength(1, 12)), Schema.Literals(["english", "second-price"])],
    ([steps, kind]) =>
      Effect.gen(function* () {
        const spec: AuctionSpec =
          kind === "english"
            ? { kind, id: "lot", seller: "seller", reserve: 10n, increment: 5n, duration: 1000 }
            : { kind, id: "lot", seller: "seller", reserve: 10n, duration: 1000 }
        const { ledger, system, auctioneer } = yield* setup(spec)
        for (const step of steps) {
          yield* TestClock.adjust(step.wait)
          if (step.crash) {
            const fuse = yield* system.spawn(Fuse, { restart: "temporary" })
            yield* system.link(fuse, auctioneer)
            yield* fuse.tell({ _tag: "Blow" })
            yield* settle
          } else {
            yield* Effect.ignore(
              Auctioneer.bid(auctioneer, { bidder: ["a", "b", "c"][step.bidder]!, amount: BigInt(step.amount) })
            )
          }
          const totals = yield* ledger.audit
          assert.strictEqual(totals.supply, 300n)
        }
        yield* TestClock.adjust("3 seconds")
        yield* settle
        const { outcome } = yield* Auctioneer.status(auctioneer)
        assert.isDefined(outcome)
        const totals = yield* ledger.audit
        assert.strictEqual(totals.held, 0n)
        const paid = outcome?.award?.payment ?? 0n
        assert.deepStrictEqual(yield* balance("seller"), { available: paid, held: 0n })
        for (const name of ["a", "b", "c"]) {
          const expected = name === outcome?.award?.winner ? 100n - paid : 100n
          assert.deepStrictEqual(yield* balance(name), { available: expected, held: 0n })
        }
      }).pipe(Effect.provide(Live)),
    { arbitrary: { runs: 40 } }
  )
})
