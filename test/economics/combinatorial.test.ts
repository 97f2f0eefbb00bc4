import { assert, describe, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import {
  type CombinatorialInput,
  SearchLimitExceeded,
  vcg,
  winnerDetermination
} from "../../src/economics/auctions/index.ts"
import { mostOwed } from "../../src/economics/auction-house/index.ts"

const ITEMS = ["i0", "i1", "i2", "i3", "i4"]

// Brute force over every subset of bids: feasible = items disjoint and one bid per bidder.
const bruteForce = (input: CombinatorialInput, excluded?: string): bigint => {
  const bids = input.bids.filter((b) => b.bidder !== excluded)
  let best = 0n
  for (let mask = 0; mask < 1 << bids.length; mask++) {
    const items = new Set<string>()
    const bidders = new Set<string>()
    let value = 0n
    let ok = true
    bids.forEach((bid, i) => {
      if (!ok || (mask & (1 << i)) === 0) return
      // The XOR group: a bidder's bids with the same label (none by default).
      const group = `${bid.bidder}:${bid.xor ?? ""}`
      if (bidders.has(group) || bid.items.some((x) => items.has(x))) ok = false
      bidders.add(group)
      bid.items.forEach((x) => items.add(x))
      value += bid.amount
    })
    if (ok && value > best) best = value
  }
  return best
}

const RawBid = Schema.Struct({
  bidder: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 5 })),
  bundle: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 31 })),
  amount: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 50 }))
})
const toInput = (raw: ReadonlyArray<typeof RawBid.Type>): CombinatorialInput => ({
  items: ITEMS,
  bids: raw.map((b) => ({
    bidder: `b${b.bidder}`,
    items: ITEMS.filter((_, i) => (b.bundle & (1 << i)) !== 0),
    amount: BigInt(b.amount)
  }))
})
const Instance = Schema.Array(RawBid).check(Schema.isBetweenLength(0, 11))

// Bid languages: 3 bidders, each bid unlabeled (XOR group) or labeled "p" / "q" (OR between labels).
const LangBid = Schema.Struct({
  bidder: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 2 })),
  label: Schema.Literals(["", "p", "q"]),
  bundle: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 31 })),
  amount: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 50 }))
})
const Languages = Schema.Array(LangBid).check(Schema.isBetweenLength(0, 11))
const toLanguages = (raw: ReadonlyArray<typeof LangBid.Type>): CombinatorialInput => ({
  items: ITEMS,
  bids: raw.map((b) => ({
    bidder: `b${b.bidder}`,
    items: ITEMS.filter((_, i) => (b.bundle & (1 << i)) !== 0),
    amount: BigInt(b.amount),
    ...(b.label === "" ? {} : { xor: b.label })
  }))
})

// One bidder per bid (the solver's subproblem cache is on) over 8 items, up to 13 bids.
const WIDE = ["w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7"]
const WideBid = Schema.Struct({
  bundle: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 255 })),
  amount: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 60 }))
})
const Wide = Schema.Array(WideBid).check(Schema.isBetweenLength(0, 13))
const toWide = (raw: ReadonlyArray<typeof WideBid.Type>): CombinatorialInput => ({
  items: WIDE,
  bids: raw.map((b, i) => ({
    bidder: `u${i}`,
    // At most 4 items per bundle, as in the benchmark instances.
    items: WIDE.filter((_, k) => (b.bundle & (1 << k)) !== 0).slice(0, 4),
    amount: BigInt(b.amount)
  }))
})

describe("combinatorial auction", () => {
  it("splits a bundle when the parts are worth more", () => {
    const input: CombinatorialInput = {
      items: ["x", "y"],
      bids: [
        { bidder: "a", items: ["x", "y"], amount: 10n },
        { bidder: "b", items: ["x"], amount: 6n },
        { bidder: "c", items: ["y"], amount: 6n }
      ]
    }
    const outcome = Result.getOrThrow(vcg(input))
    assert.deepStrictEqual(outcome.allocation.winners, [1, 2])
    assert.strictEqual(outcome.allocation.welfare, 12n)
    // Without b: a's 10 beats c's 6, so b pays 10 − 6 = 4; symmetric for c.
    assert.deepStrictEqual(
      outcome.payments.map((p) => p.payment),
      [4n, 4n]
    )
  })

  it("a bidder wins at most one of its XOR bids", () => {
    const input: CombinatorialInput = {
      items: ["x", "y"],
      bids: [
        { bidder: "a", items: ["x"], amount: 5n },
        { bidder: "a", items: ["y"], amount: 5n }
      ]
    }
    assert.strictEqual(Result.getOrThrow(winnerDetermination(input)).welfare, 5n)
  })

  it("ties are broken deterministically: the earlier of equal bids wins", () => {
    const input: CombinatorialInput = {
      items: ["x"],
      bids: [
        { bidder: "a", items: ["x"], amount: 5n },
        { bidder: "b", items: ["x"], amount: 5n }
      ]
    }
    assert.deepStrictEqual(Result.getOrThrow(winnerDetermination(input)).winners, [0])
  })

  it("bids naming unknown items never win", () => {
    const input: CombinatorialInput = {
      items: ["x"],
      bids: [
        { bidder: "a", items: ["x", "nope"], amount: 50n },
        { bidder: "b", items: ["x"], amount: 5n }
      ]
    }
    assert.deepStrictEqual(Result.getOrThrow(winnerDetermination(input)).winners, [1])
  })

  it("gives up with SearchLimitExceeded instead of approximating", () => {
    const bids = Array.from({ length: 60 }, (_, i) => ({
      bidder: `b${i}`,
      items: [ITEMS[i % 5]!, ITEMS[(i * 3 + 1) % 5]!],
      amount: BigInt(10 + (i % 7))
    }))
    const result = winnerDetermination({ items: ITEMS, bids }, { maxNodes: 3 })
    assert.isTrue(Result.isFailure(result) && result.failure instanceof SearchLimitExceeded)
    const huge = winnerDetermination({
      items: ["x"],
      bids: [{ bidder: "a", items: ["x"], amount: 2n ** 60n }]
    })
    assert.isTrue(Result.isFailure(huge) && huge.failure.limit === "sum of bid amounts")
  })

  it.prop(
    "the allocation maximises declared welfare (brute force)",
    [Instance],
    ([raw]) => {
      const input = toInput(raw)
      const allocation = Result.getOrThrow(winnerDetermination(input))
      assert.strictEqual(allocation.welfare, bruteForce(input))
      const items = allocation.winners.flatMap((i) => input.bids[i]!.items)
      assert.strictEqual(new Set(items).size, items.length, "an item was sold twice")
      const bidders = allocation.winners.map((i) => input.bids[i]!.bidder)
      assert.strictEqual(new Set(bidders).size, bidders.length, "a bidder won twice")
    },
    { arbitrary: { runs: 300 } }
  )

  it.prop(
    "VCG: payments match brute force, are individually rational and non-negative",
    [Instance],
    ([raw]) => {
      const input = toInput(raw)
      const { allocation, payments } = Result.getOrThrow(vcg(input))
      for (const { bids, bidder, payment } of payments) {
        assert.strictEqual(bids.length, 1, "XOR bids: a bidder wins at most one")
        const declared = input.bids[bids[0]!]!.amount
        assert.isTrue(payment >= 0n && payment <= declared, `payment ${payment} for a bid of ${declared}`)
        assert.strictEqual(payment, bruteForce(input, bidder) - (allocation.welfare - declared))
      }
      assert.strictEqual(payments.length, allocation.winners.length)
    },
    { arbitrary: { runs: 200 } }
  )

  it.prop(
    "one bidder per bid: optimal and VCG-exact against brute force (cached search)",
    [Wide],
    ([raw]) => {
      const input = toWide(raw)
      const { allocation, payments } = Result.getOrThrow(vcg(input))
      assert.strictEqual(allocation.welfare, bruteForce(input))
      for (const { bids, bidder, payment } of payments) {
        assert.strictEqual(payment, bruteForce(input, bidder) - (allocation.welfare - input.bids[bids[0]!]!.amount))
      }
    },
    { arbitrary: { runs: 300 } }
  )

  it("bid languages: an OR bidder wins several bids and pays VCG once for all of them", () => {
    const input: CombinatorialInput = {
      items: ["x", "y"],
      bids: [
        { bidder: "a", items: ["x"], amount: 6n, xor: "1" },
        { bidder: "a", items: ["y"], amount: 6n, xor: "2" },
        { bidder: "b", items: ["x", "y"], amount: 10n }
      ]
    }
    const { allocation, payments } = Result.getOrThrow(vcg(input))
    assert.deepStrictEqual(allocation.winners, [0, 1])
    // Without a, b's 10 wins: a pays 10 − 0 for both items together.
    assert.deepStrictEqual(payments, [{ bidder: "a", bids: [0, 1], payment: 10n }])
    const xor = { ...input, bids: input.bids.map(({ xor: _, ...bid }) => bid) }
    assert.deepStrictEqual(Result.getOrThrow(winnerDetermination(xor)).winners, [2])
  })

  it.prop(
    "bid languages: optimal, VCG per bidder exact, individually rational, within mostOwed",
    [Languages],
    ([raw]) => {
      const input = toLanguages(raw)
      const { allocation, payments } = Result.getOrThrow(vcg(input))
      assert.strictEqual(allocation.welfare, bruteForce(input))
      for (const { bids, bidder, payment } of payments) {
        const won = bids.reduce((sum, bid) => sum + input.bids[bid]!.amount, 0n)
        assert.isTrue(payment >= 0n && payment <= won, `payment ${payment} for winning bids worth ${won}`)
        assert.strictEqual(payment, bruteForce(input, bidder) - (allocation.welfare - won))
        assert.isTrue(payment <= mostOwed(input.bids, bidder))
      }
      const winners = new Set(allocation.winners.map((i) => input.bids[i]!.bidder))
      assert.strictEqual(payments.length, winners.size)
    },
    { arbitrary: { runs: 300 } }
  )
})
