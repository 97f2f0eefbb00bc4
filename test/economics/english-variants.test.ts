import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Schema } from "effect"
import { TestClock } from "effect/testing"
import { AuctionHouse } from "../../src/economics/auction-house/index.ts"
import {
  AuctionClosed,
  BidTooLow,
  clockEnglish,
  clockInit,
  clockStep,
  english,
  NotBidding,
  proxyEnglish,
  proxyInit,
  proxyStep,
  WrongAuctionKind
} from "../../src/economics/auctions/index.ts"
import { Ledger } from "../../src/economics/ledger/index.ts"

const CLOCK = { reserve: 10n, increment: 5n, tick: 1000, start: 1000, deadline: 60_000 }
const join = (bidder: string, amount: bigint, at = 0) => ({ _tag: "Bid" as const, bidder, amount, at })

describe("English variants: the worked examples of the doc comments", () => {
  it("bid-driven: the highest bidder pays its own last bid", () => {
    const outcome = english("lot", { reserve: 10n, increment: 5n, deadline: 1000 }, [
      { bidder: "a", amount: 10n, at: 1 },
      { bidder: "b", amount: 15n, at: 2 }
    ])
    assert.deepStrictEqual(outcome.award, { winner: "b", bid: 15n, payment: 15n })
  })

  it("proxy: the winner pays the second-highest maximum plus one increment, capped at its own", () => {
    const outcome = proxyEnglish("lot", { reserve: 10n, increment: 5n, deadline: 1000 }, [
      { bidder: "a", amount: 50n, at: 1 },
      { bidder: "b", amount: 30n, at: 2 },
      { bidder: "c", amount: 50n, at: 3 },
      { bidder: "a", amount: 80n, at: 4 }
    ])
    assert.deepStrictEqual(outcome.award, { winner: "a", bid: 80n, payment: 55n })
  })

  it("ascending clock: the last bidder in pays the clock price", () => {
    const outcome = clockEnglish("lot", CLOCK, [
      join("a", 40n),
      join("b", 32n),
      join("c", 25n),
      { _tag: "Drop", bidder: "b", at: 3500 }
    ])
    assert.deepStrictEqual(outcome.award, { winner: "a", bid: 40n, payment: 30n })
  })
})

describe("proxy English", () => {
  const config = { reserve: 10n, increment: 5n, deadline: 1000 }
  const step = (state: ReturnType<typeof proxyInit>, bidder: string, amount: bigint) =>
    proxyStep(state, { _tag: "Bid", bidder, amount, at: 1 })

  it("a lone bidder pays the opening price, and a tie at the top goes to the earliest maximum", () => {
    assert.deepStrictEqual(proxyEnglish("lot", config, [{ bidder: "a", amount: 90n, at: 1 }]).award?.payment, 10n)
    const tie = proxyEnglish("lot", config, [
      { bidder: "a", amount: 40n, at: 1 },
      { bidder: "b", amount: 40n, at: 2 }
    ])
    assert.deepStrictEqual(tie.award, { winner: "a", bid: 40n, payment: 40n })
  })

  it("a losing maximum raises the price and escrows nothing; a winning one outbids the leader", () => {
    let state = step(proxyInit("lot", config), "a", 50n).state
    const losing = step(state, "b", 20n)
    assert.deepStrictEqual(losing.outputs, [])
    assert.strictEqual(losing.state.price, 25n)
    state = losing.state
    const winning = step(state, "c", 60n)
    assert.deepStrictEqual(
      winning.outputs.map((o) => o._tag),
      ["Outbid", "Accepted"]
    )
    assert.strictEqual(winning.state.price, 55n)
  })

  it("rejects a maximum below the standing price plus the increment, and a leader lowering its own", () => {
    const state = step(step(proxyInit("lot", config), "a", 50n).state, "b", 20n).state
    const low = step(state, "c", 29n).outputs[0]
    assert.isTrue(low?._tag === "Rejected" && low.error instanceof BidTooLow && low.error.minimum === 30n)
    const lower = step(state, "a", 40n).outputs[0]
    assert.isTrue(lower?._tag === "Rejected" && lower.error instanceof BidTooLow && lower.error.minimum === 51n)
  })

  // Utility of `me` with value `value` bidding `bid` after the others' maxima (increment 1).
  const utility = (others: ReadonlyArray<number>, value: number, bid: number): number => {
    const bids = [
      ...others.map((amount, i) => ({ bidder: `o${i}`, amount: BigInt(amount), at: i })),
      { bidder: "me", amount: BigInt(bid), at: others.length }
    ]
    const award = proxyEnglish("lot", { reserve: 1n, increment: 1n, deadline: 1000 }, bids).award
    return award?.winner === "me" ? value - Number(award.payment) : 0
  }
  const Case = Schema.Struct({
    others: Schema.Array(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 60 }))).check(Schema.isMaxLength(6)),
    value: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 60 })),
    bid: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 60 }))
  })

  it.prop(
    "truthful with increment 1: no maximum above or below one's value does better",
    [Case],
    ([c]) => {
      assert.isAtLeast(utility(c.others, c.value, c.value), utility(c.others, c.value, c.bid))
    },
    { arbitrary: { runs: 500 } }
  )
})

describe("ascending-clock English", () => {
  it("the last bidders passed at the same tick: the highest limit wins at the last price all accepted", () => {
    const outcome = clockEnglish("lot", CLOCK, [join("a", 32n), join("b", 33n)])
    // Both are passed at 35 (6 s): b has the higher limit and pays 30.
    assert.deepStrictEqual(outcome.award, { winner: "b", bid: 33n, payment: 30n })
    const equal = clockEnglish("lot", CLOCK, [join("a", 32n), join("b", 32n)])
    assert.deepStrictEqual(equal.award, { winner: "a", bid: 32n, payment: 30n })
  })

  it("a lone bidder wins at the reserve when the clock starts; nobody joining means no sale", () => {
    assert.deepStrictEqual(clockEnglish("lot", CLOCK, [join("a", 99n)]).award, { winner: "a", bid: 99n, payment: 10n })
    assert.isUndefined(clockEnglish("lot", CLOCK, []).award)
  })

  it("at the deadline with several bidders in, the highest limit wins at the frozen clock price", () => {
    const outcome = clockEnglish("lot", { ...CLOCK, deadline: 3000 }, [join("a", 90n), join("b", 95n)])
    assert.deepStrictEqual(outcome.award, { winner: "b", bid: 95n, payment: 20n })
  })

  it("entry closes when the clock starts; only a bidder still in may drop out", () => {
    const state = clockStep(clockInit("lot", CLOCK), join("a", 40n)).state
    const late = clockStep(state, join("b", 50n, 1000)).outputs[0]
    assert.isTrue(late?._tag === "Rejected" && late.error instanceof AuctionClosed && late.error.deadline === 1000)
    const stranger = clockStep(state, { _tag: "Drop", bidder: "zz", at: 500 }).outputs[0]
    assert.isTrue(stranger?._tag === "Rejected" && stranger.error instanceof NotBidding)
    const raised = clockStep(state, join("a", 45n, 500))
    assert.deepStrictEqual(raised.outputs, [{ _tag: "Accepted", bidder: "a", amount: 45n }])
  })
})

const Live = AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.layer))
const setup = Effect.gen(function* () {
  const ledger = yield* Ledger
  for (const name of ["seller", "a", "b", "c"]) {
    yield* ledger.open(name)
    if (name !== "seller") yield* ledger.mint({ account: name, amount: 100n })
  }
  return { ledger, house: yield* AuctionHouse }
})
const balance = (account: string) => Ledger.use((l) => l.balance(account))

describe("English variants in the AuctionHouse", () => {
  it.effect("ascending clock on a TestClock schedule: the worked example, with escrow", () =>
    Effect.gen(function* () {
      const { house, ledger } = yield* setup
      yield* house.open({
        kind: "english-clock",
        id: "lot",
        seller: "seller",
        reserve: 10n,
        increment: 5n,
        tick: 1000,
        entry: 1000,
        duration: 60_000
      })
      yield* house.bid({ auction: "lot", bidder: "a", amount: 40n })
      yield* house.bid({ auction: "lot", bidder: "b", amount: 32n })
      yield* house.bid({ auction: "lot", bidder: "c", amount: 25n })
      assert.strictEqual((yield* ledger.audit).held, 97n)
      const outcome = yield* Effect.forkChild(house.outcome("lot"))
      yield* TestClock.adjust("3500 millis")
      assert.strictEqual((yield* house.list)[0]?.price, 20n)
      yield* house.drop({ auction: "lot", bidder: "b" })
      assert.deepStrictEqual(yield* balance("b"), { available: 100n, held: 0n })
      yield* TestClock.adjust("1499 millis")
      assert.isUndefined((yield* house.list)[0]?.award)
      yield* TestClock.adjust("1 milli")
      assert.deepStrictEqual((yield* Fiber.join(outcome)).award, { winner: "a", bid: 40n, payment: 30n })
      assert.deepStrictEqual(yield* balance("a"), { available: 70n, held: 0n })
      assert.deepStrictEqual(yield* balance("seller"), { available: 30n, held: 0n })
      assert.deepStrictEqual(yield* ledger.audit.pipe(Effect.map((a) => [a.held, a.supply])), [0n, 300n])
      const late = yield* Effect.flip(house.drop({ auction: "lot", bidder: "a" }))
      assert.instanceOf(late, AuctionClosed)
    }).pipe(Effect.provide(Live))
  )

  it.effect("ascending clock: the second-to-last drop ends it at once", () =>
    Effect.gen(function* () {
      const { house } = yield* setup
      yield* house.open({
        kind: "english-clock",
        id: "lot",
        seller: "seller",
        reserve: 10n,
        increment: 5n,
        tick: 1000,
        entry: 1000,
        duration: 60_000
      })
      yield* house.bid({ auction: "lot", bidder: "a", amount: 90n })
      yield* house.bid({ auction: "lot", bidder: "b", amount: 90n })
      yield* TestClock.adjust("2 seconds")
      yield* house.drop({ auction: "lot", bidder: "a" })
      assert.deepStrictEqual((yield* house.outcome("lot")).award, { winner: "b", bid: 90n, payment: 15n })
      assert.deepStrictEqual(yield* balance("b"), { available: 85n, held: 0n })
    }).pipe(Effect.provide(Live))
  )

  it.effect("proxy: the leader's maximum is escrowed, the winner pays the proxy price, the rest comes back", () =>
    Effect.gen(function* () {
      const { house, ledger } = yield* setup
      yield* house.open({
        kind: "english-proxy",
        id: "lot",
        seller: "seller",
        reserve: 10n,
        increment: 5n,
        duration: 1000
      })
      yield* house.bid({ auction: "lot", bidder: "a", amount: 50n })
      yield* house.bid({ auction: "lot", bidder: "b", amount: 30n })
      assert.deepStrictEqual(yield* balance("b"), { available: 100n, held: 0n })
      assert.strictEqual((yield* house.list)[0]?.price, 35n)
      yield* house.bid({ auction: "lot", bidder: "c", amount: 60n })
      assert.deepStrictEqual(yield* balance("a"), { available: 100n, held: 0n })
      yield* house.bid({ auction: "lot", bidder: "c", amount: 70n })
      assert.deepStrictEqual(yield* balance("c"), { available: 30n, held: 70n })
      assert.instanceOf(yield* Effect.flip(house.drop({ auction: "lot", bidder: "c" })), WrongAuctionKind)
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual((yield* house.outcome("lot")).award, { winner: "c", bid: 70n, payment: 55n })
      assert.deepStrictEqual(yield* balance("c"), { available: 45n, held: 0n })
      assert.deepStrictEqual(yield* balance("seller"), { available: 55n, held: 0n })
      assert.strictEqual((yield* ledger.audit).held, 0n)
    }).pipe(Effect.provide(Live))
  )
})
