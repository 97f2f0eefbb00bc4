import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import {
  AuctionClosed,
  BelowReserve,
  BidTooLow,
  DuplicateBid,
  dutch,
  dutchInit,
  dutchPrice,
  dutchStep,
  english,
  englishInit,
  englishStep,
  firstPrice,
  sealedInit,
  sealedStep,
  vickrey
} from "../../src/economics/auctions/index.ts"

const bids = (...xs: Array<[string, number]>) => xs.map(([bidder, amount]) => ({ bidder, amount: BigInt(amount) }))

describe("sealed-bid mechanisms", () => {
  it("first-price: the highest bid wins and pays its bid", () => {
    const outcome = firstPrice({ bids: bids(["a", 5], ["b", 9], ["c", 7]), reserve: 1n })
    assert.deepStrictEqual(outcome.award, { winner: "b", bid: 9n, payment: 9n })
  })

  it("vickrey: the highest bid wins and pays the second-highest", () => {
    const outcome = vickrey({ bids: bids(["a", 5], ["b", 9], ["c", 7]), reserve: 1n })
    assert.deepStrictEqual(outcome.award, { winner: "b", bid: 9n, payment: 7n })
  })

  it("vickrey: a lone bidder pays the reserve", () => {
    assert.deepStrictEqual(vickrey({ bids: bids(["a", 50]), reserve: 20n }).award, {
      winner: "a",
      bid: 50n,
      payment: 20n
    })
  })

  it("bids below the reserve never win", () => {
    assert.isUndefined(firstPrice({ bids: bids(["a", 5], ["b", 9]), reserve: 10n }).award)
    assert.deepStrictEqual(vickrey({ bids: bids(["a", 5], ["b", 12]), reserve: 10n }).award?.payment, 10n)
  })

  it("ties go to the earlier bid", () => {
    assert.strictEqual(firstPrice({ bids: bids(["a", 5], ["b", 9], ["c", 9]), reserve: 0n }).award?.winner, "b")
    assert.deepStrictEqual(vickrey({ bids: bids(["c", 9], ["b", 9]), reserve: 0n }).award, {
      winner: "c",
      bid: 9n,
      payment: 9n
    })
  })

  it("a bidder's repeated bids count once, at the highest", () => {
    assert.deepStrictEqual(vickrey({ bids: bids(["a", 9], ["a", 8], ["b", 3]), reserve: 0n }).award?.payment, 3n)
  })

  const Value = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 60 }))
  it.prop(
    "vickrey: bidding one's value is weakly dominant",
    {
      value: Value,
      deviation: Value,
      others: Schema.Array(Value).check(Schema.isBetweenLength(0, 5)),
      position: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 5 })),
      reserve: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 40 }))
    },
    ({ deviation, others, position, reserve, value }) => {
      const utility = (bid: number): bigint => {
        const all = others.map((amount, i) => ({ bidder: `o${i}`, amount: BigInt(amount) }))
        all.splice(Math.min(position, all.length), 0, { bidder: "me", amount: BigInt(bid) })
        const award = vickrey({ bids: all, reserve: BigInt(reserve) }).award
        return award?.winner === "me" ? BigInt(value) - award.payment : 0n
      }
      assert.isTrue(
        utility(value) >= utility(deviation),
        `truthful ${utility(value)} < deviation ${utility(deviation)}`
      )
      assert.isTrue(utility(value) >= 0n)
    }
  )

  it.prop(
    "first-price is not truthful, but the winner always pays its bid",
    {
      others: Schema.Array(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 60 }))).check(Schema.isMinLength(1))
    },
    ({ others }) => {
      const award = firstPrice({
        bids: others.map((a, i) => ({ bidder: `b${i}`, amount: BigInt(a) })),
        reserve: 0n
      }).award
      assert.strictEqual(award?.payment, award?.bid)
      assert.strictEqual(award?.bid, BigInt(Math.max(...others)))
    }
  )
})

describe("English auction", () => {
  const config = { reserve: 10n, increment: 5n, deadline: 1000 }

  it("the last highest bidder wins and pays its bid", () => {
    const outcome = english("lot", config, [
      { bidder: "a", amount: 10n, at: 1 },
      { bidder: "b", amount: 15n, at: 2 },
      { bidder: "a", amount: 30n, at: 3 }
    ])
    assert.deepStrictEqual(outcome.award, { winner: "a", bid: 30n, payment: 30n })
  })

  it("rejects bids below reserve, below the increment and after the deadline", () => {
    let state = englishInit("lot", config)
    const below = englishStep(state, { _tag: "Bid", bidder: "a", amount: 9n, at: 1 }).outputs[0]
    assert.isTrue(below?._tag === "Rejected" && below.error instanceof BelowReserve)
    state = englishStep(state, { _tag: "Bid", bidder: "a", amount: 10n, at: 1 }).state
    const low = englishStep(state, { _tag: "Bid", bidder: "b", amount: 14n, at: 2 })
    const lowOut = low.outputs[0]
    assert.isTrue(lowOut?._tag === "Rejected" && lowOut.error instanceof BidTooLow && lowOut.error.minimum === 15n)
    assert.strictEqual(low.state, state)
    const late = englishStep(state, { _tag: "Bid", bidder: "b", amount: 50n, at: 1000 }).outputs[0]
    assert.isTrue(late?._tag === "Rejected" && late.error instanceof AuctionClosed)
  })

  it("an outbid leader is told to release escrow", () => {
    const state = englishStep(englishInit("lot", config), { _tag: "Bid", bidder: "a", amount: 10n, at: 1 }).state
    const outputs = englishStep(state, { _tag: "Bid", bidder: "b", amount: 20n, at: 2 }).outputs
    assert.deepStrictEqual(
      outputs.map((o) => o._tag),
      ["Outbid", "Accepted"]
    )
  })

  it("soft close extends the deadline, bounded by latest", () => {
    const soft = { ...config, softClose: { window: 100, extension: 200, latest: 1300 } }
    let step = englishStep(englishInit("lot", soft), { _tag: "Bid", bidder: "a", amount: 10n, at: 950 })
    assert.strictEqual(step.state.deadline, 1150)
    step = englishStep(step.state, { _tag: "Bid", bidder: "b", amount: 15n, at: 1140 })
    assert.strictEqual(step.state.deadline, 1300)
    assert.deepStrictEqual(englishStep(step.state, { _tag: "Close", at: 1000 }).outputs, [])
    const closed = englishStep(step.state, { _tag: "Close", at: 1300 })
    assert.deepStrictEqual(closed.state.outcome?.award, { winner: "b", bid: 15n, payment: 15n })
  })

  it("no bid at or above the reserve means no sale", () => {
    assert.isUndefined(english("lot", config, [{ bidder: "a", amount: 5n, at: 1 }]).award)
  })

  it.prop(
    "the winner pays its bid, the highest accepted, at least the reserve",
    {
      amounts: Schema.Array(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100 })))
    },
    ({ amounts }) => {
      const award = english(
        "lot",
        config,
        amounts.map((a, i) => ({ bidder: `b${i % 3}`, amount: BigInt(a), at: i }))
      ).award
      if (award === undefined) return assert.isTrue(amounts.every((a) => a < 10))
      assert.strictEqual(award.payment, award.bid)
      assert.isTrue(award.payment >= 10n)
      // Any bid beating the leader by the increment is accepted, so the winner is within one increment of the top.
      const top = BigInt(Math.max(...amounts))
      assert.isTrue(award.bid <= top && award.bid > top - 5n, `winner bid ${award.bid}, top bid ${top}`)
    }
  )
})

describe("Dutch auction", () => {
  const config = { startPrice: 100n, decrement: 10n, tick: 1000, reserve: 50n, start: 0, deadline: 10_000 }

  it("the price drops each tick and stops at the reserve", () => {
    assert.strictEqual(dutchPrice(config, 0), 100n)
    assert.strictEqual(dutchPrice(config, 2999), 80n)
    assert.strictEqual(dutchPrice(config, 9000), 50n)
  })

  it("the first taker wins at the clock price; later takers are rejected", () => {
    const step = dutchStep(dutchInit("lot", config), { _tag: "Take", bidder: "a", at: 2500 })
    assert.deepStrictEqual(step.state.outcome?.award, { winner: "a", bid: 80n, payment: 80n })
    const late = dutchStep(step.state, { _tag: "Take", bidder: "b", at: 2500 }).outputs[0]
    assert.isTrue(late?._tag === "Rejected" && late.error instanceof AuctionClosed)
    assert.strictEqual(
      dutch("lot", config, [
        { bidder: "b", at: 4000 },
        { bidder: "a", at: 4000 }
      ]).award?.winner,
      "b"
    )
  })

  it("no take before the deadline means no sale", () => {
    assert.isUndefined(dutch("lot", config, [{ bidder: "a", at: 10_000 }]).award)
  })

  it.prop(
    "the winner pays the clock price, never below the reserve",
    {
      at: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 9_999 }))
    },
    ({ at }) => {
      const award = dutch("lot", config, [{ bidder: "a", at }]).award
      assert.strictEqual(award?.payment, dutchPrice(config, at))
      assert.isTrue((award?.payment ?? 0n) >= 50n)
    }
  )
})

describe("live sealed-bid step", () => {
  const config = { pricing: "second-price" as const, reserve: 10n, deadline: 100 }

  it("collects one bid per bidder and settles at the deadline", () => {
    let state = sealedInit("lot", config)
    state = sealedStep(state, { _tag: "Bid", bidder: "a", amount: 30n, at: 1 }).state
    state = sealedStep(state, { _tag: "Bid", bidder: "b", amount: 20n, at: 2 }).state
    const dup = sealedStep(state, { _tag: "Bid", bidder: "a", amount: 40n, at: 3 }).outputs[0]
    assert.isTrue(dup?._tag === "Rejected" && dup.error instanceof DuplicateBid)
    const below = sealedStep(state, { _tag: "Bid", bidder: "c", amount: 5n, at: 3 }).outputs[0]
    assert.isTrue(below?._tag === "Rejected" && below.error instanceof BelowReserve)
    const closed = sealedStep(state, { _tag: "Close", at: 100 })
    assert.deepStrictEqual(closed.outputs, [
      { _tag: "Outbid", bidder: "b" },
      { _tag: "Settled", outcome: { award: { winner: "a", bid: 30n, payment: 20n } } }
    ])
    const late = sealedStep(closed.state, { _tag: "Bid", bidder: "c", amount: 50n, at: 101 }).outputs[0]
    assert.isTrue(late?._tag === "Rejected" && late.error instanceof AuctionClosed)
  })

  it("rejects bids once maxBids is reached", () => {
    let state = sealedInit("lot", { ...config, maxBids: 1 })
    state = sealedStep(state, { _tag: "Bid", bidder: "a", amount: 30n, at: 1 }).state
    const full = sealedStep(state, { _tag: "Bid", bidder: "b", amount: 40n, at: 2 }).outputs[0]
    assert.isTrue(full?._tag === "Rejected" && full.error instanceof AuctionClosed)
  })
})
