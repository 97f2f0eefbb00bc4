import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import {
  cancel,
  emptyBook,
  observeTrade,
  type Order,
  pricingInit,
  quote,
  submit
} from "../../src/economics/market/index.ts"

const order = (side: "buy" | "sell", owner: string, price: number, quantity: number): Order => ({
  side,
  owner,
  price: BigInt(price),
  quantity
})

describe("order book", () => {
  it("a crossing order trades at the resting price, best price first, then earliest", () => {
    let book = emptyBook()
    book = submit(book, order("sell", "s1", 12, 5)).book
    book = submit(book, order("sell", "s2", 10, 5)).book
    book = submit(book, order("sell", "s3", 10, 5)).book
    const result = submit(book, order("buy", "b", 12, 12))
    assert.deepStrictEqual(
      result.fills.map((f) => [f.seller, f.price, f.quantity]),
      [
        ["s2", 10n, 5],
        ["s3", 10n, 5],
        ["s1", 12n, 2]
      ]
    )
    assert.isUndefined(result.resting)
    assert.deepStrictEqual(
      result.book.asks.map((a) => [a.owner, a.quantity]),
      [["s1", 3]]
    )
  })

  it("what does not match rests in price-time order and can be cancelled", () => {
    let book = emptyBook()
    const first = submit(book, order("buy", "b1", 9, 2))
    book = submit(first.book, order("buy", "b2", 11, 2)).book
    book = submit(book, order("buy", "b3", 9, 2)).book
    assert.deepStrictEqual(
      book.bids.map((b) => b.owner),
      ["b2", "b1", "b3"]
    )
    const cancelled = cancel(book, first.id)
    assert.strictEqual(cancelled.removed?.owner, "b1")
    assert.isUndefined(cancel(cancelled.book, first.id).removed)
  })

  it("an owner never trades with itself; a full book overflows instead of growing", () => {
    let book = emptyBook(1)
    book = submit(book, order("sell", "s", 10, 1)).book
    const self = submit(book, order("buy", "s", 10, 1))
    assert.deepStrictEqual(self.fills, [])
    assert.isTrue(self.overflow)
    assert.strictEqual(self.book.bids.length, 0)
  })

  const Side = Schema.Literals(["buy", "sell"])
  const Raw = Schema.Struct({
    side: Side,
    owner: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 3 })),
    price: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 20 })),
    quantity: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 5 }))
  })
  it.prop(
    "quantity is conserved, trades respect both limits, and the book never crosses",
    [Schema.Array(Raw)],
    ([raws]) => {
      let book = emptyBook()
      const limits = new Map<number, bigint>()
      let submitted = 0
      let traded = 0
      for (const raw of raws) {
        const o = order(raw.side, `o${raw.owner}`, raw.price, raw.quantity)
        const result = submit(book, o)
        limits.set(result.id, o.price)
        submitted += o.quantity
        for (const fill of result.fills) {
          traded += fill.quantity
          assert.isTrue(fill.price <= limits.get(fill.buyOrder)! && fill.price >= limits.get(fill.sellOrder)!)
          assert.notStrictEqual(fill.buyer, fill.seller)
        }
        book = result.book
      }
      const resting = [...book.bids, ...book.asks].reduce((s, r) => s + r.quantity, 0)
      assert.strictEqual(submitted, resting + 2 * traded)
      for (const bid of book.bids)
        for (const ask of book.asks) {
          assert.isTrue(bid.price < ask.price || bid.owner === ask.owner)
        }
    }
  )
})

describe("pricing", () => {
  const config = { initial: 100n, floor: 10n, ceiling: 1000n, halfLife: 1000, target: 0.5, sensitivity: 1 }

  it("starts from the initial price and moves with utilisation around the target", () => {
    const state = pricingInit(config, 0)
    assert.strictEqual(quote(state, config, 0.5), 100n)
    assert.strictEqual(quote(state, config, 1), 150n)
    assert.strictEqual(quote(state, config, 0), 50n)
    assert.strictEqual(quote(state, config, 7), 150n, "utilisation is clamped to [0, 1]")
  })

  it("follows recent clearing prices, weighted by quantity, forgetting old ones by half-life", () => {
    let state = pricingInit(config, 0)
    state = observeTrade(state, config, { price: 200n, quantity: 1, at: 0 })
    assert.strictEqual(quote(state, config, 0.5), 200n)
    state = observeTrade(state, config, { price: 100n, quantity: 3, at: 0 })
    assert.strictEqual(quote(state, config, 0.5), 125n)
    // After one half-life the old trades weigh 2 against a new trade's 2.
    state = observeTrade(state, config, { price: 300n, quantity: 2, at: 1000 })
    assert.strictEqual(quote(state, config, 0.5), 213n)
  })

  it.prop(
    "every quote is a whole amount within [floor, ceiling]",
    [
      Schema.Array(
        Schema.Struct({
          price: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 5000 })),
          quantity: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100 })),
          gap: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 5000 }))
        })
      ),
      Schema.Number
    ],
    ([trades, utilisation]) => {
      let state = pricingInit(config, 0)
      let at = 0
      for (const t of trades) {
        at += t.gap
        state = observeTrade(state, config, { price: BigInt(t.price), quantity: t.quantity, at })
        const price = quote(state, config, utilisation)
        assert.isTrue(price >= config.floor && price <= config.ceiling)
      }
    }
  )
})
