/**
 * Economics: ledger transfers/s, exact winner determination time vs bids × items (reference:
 * HiGHS MIP solves random 20 × 500 instances, bundles of 1–4 items, in ~20–25 ms), and order-book
 * matching: the pure book against the Marketplace service with escrow and settlement.
 */
import { Context, Effect, Layer, Random, Result } from "effect"
import {
  type CombinatorialInput,
  english,
  firstPrice,
  proxyEnglish,
  vcg,
  vickrey,
  winnerDetermination
} from "../src/economics/auctions/index.ts"
import { Ledger } from "../src/economics/ledger/index.ts"
import { emptyBook, Marketplace, type Order, type OrderBook, submit } from "../src/economics/market/index.ts"
import { defineBench } from "./lib/index.ts"

const transfers = 1_000
const ledger = Effect.runSync(Ledger.use(Effect.succeed).pipe(Effect.provide(Ledger.layer)))
const accounts = Array.from({ length: 100 }, (_, i) => `acct-${i}`)
Effect.runSync(
  Effect.forEach(accounts, (a) => ledger.open(a).pipe(Effect.andThen(ledger.mint({ account: a, amount: 10n ** 15n }))))
)
const plain = new Map(accounts.map((a) => [a, 10n ** 15n]))
let key = 0

const pairs = Array.from({ length: transfers }, (_, i) => [accounts[i % 100]!, accounts[(i * 7 + 3) % 100]!] as const)
const ledgerRun = (keyed: boolean) => () =>
  Effect.runSync(
    Effect.forEach(
      pairs,
      ([from, to]) => ledger.transfer(keyed ? { from, to, amount: 1n, key: `k${key++}` } : { from, to, amount: 1n }),
      { discard: true }
    )
  )

// Random instances from Effect's seeded Random: bundles of 1–4 distinct items.
const instance = (items: number, bids: number, additive: boolean, seed: number): CombinatorialInput =>
  Effect.runSync(
    Effect.gen(function* () {
      const names = Array.from({ length: items }, (_, i) => `item-${i}`)
      const value = yield* Effect.forEach(names, () => Random.nextIntBetween(1, 100))
      const out = []
      for (let b = 0; b < bids; b++) {
        const size = yield* Random.nextIntBetween(1, 4)
        const chosen = new Set<number>()
        while (chosen.size < size) chosen.add(yield* Random.nextIntBetween(0, items - 1))
        const base = [...chosen].reduce((s, i) => s + value[i]!, 0)
        const amount = additive
          ? Math.max(1, Math.round(base * (0.5 + (yield* Random.next))))
          : yield* Random.nextIntBetween(1, 1000)
        out.push({ bidder: `b${b}`, items: [...chosen].map((i) => names[i]!), amount: BigInt(amount) })
      }
      return { items: names, bids: out }
    }).pipe(Random.withSeed(seed))
  )

const greedy = (input: CombinatorialInput): bigint => {
  const used = new Set<string>()
  let welfare = 0n
  for (const bid of [...input.bids].sort((x, y) => Number(y.amount - x.amount))) {
    if (bid.items.some((i) => used.has(i))) continue
    bid.items.forEach((i) => used.add(i))
    welfare += bid.amount
  }
  return welfare
}

const solve = (input: CombinatorialInput) => () =>
  Result.getOrThrow(winnerDetermination(input, { maxNodes: 50_000_000 }))
const cases: Array<[string, CombinatorialInput]> = [
  ["exact, 20 items × 100 bids", instance(20, 100, false, 1)],
  ["exact, 20 items × 500 bids (HiGHS ~20–25 ms)", instance(20, 500, false, 2)],
  ["exact, 30 items × 400 bids", instance(30, 400, false, 3)],
  ["exact, 20 items × 2000 bids", instance(20, 2000, false, 4)],
  ["exact, additive values, 20 items × 100 bids", instance(20, 100, true, 5)]
]
const reference = cases[1]![1]

// Order flow around a mid price of 100: half the orders cross, so the book stays shallow.
const orderCount = 1_000
const traders = Array.from({ length: 10 }, (_, i) => `trader-${i}`)
const orders: Array<Order> = Array.from({ length: orderCount }, (_, i) => ({
  side: i % 2 === 0 ? "buy" : "sell",
  owner: traders[(i * 3) % traders.length]!,
  price: BigInt(95 + ((i * 7) % 11)),
  quantity: 1 + (i % 5)
}))
const marketServices = Effect.runSync(
  Effect.gen(function* () {
    const context = yield* Layer.build(Marketplace.layer.pipe(Layer.provideMerge(Ledger.layer)))
    const book = Context.get(context, Ledger)
    for (const t of traders) {
      yield* book.open(t)
      yield* book.mint({ account: t, amount: 10n ** 15n })
    }
    return Context.get(context, Marketplace)
  }).pipe(Effect.scoped)
)
// Each run's scope closes at its end, so its resting orders leave the book and escrow comes back.
const marketRun = () =>
  Effect.runSync(
    Effect.scoped(Effect.forEach(orders, (o) => marketServices.submit({ market: "m", ...o }), { discard: true }))
  )
const pureRun = () => {
  let book: OrderBook = emptyBook()
  for (const o of orders) book = submit(book, o).book
  return book
}

// 100k sealed bids with distinct pseudo-random amounts, and 100k strictly ascending English bids.
const sealed = {
  reserve: 1n,
  bids: Array.from({ length: 100_000 }, (_, i) => ({
    bidder: `b${i % 997}`,
    amount: BigInt(1 + ((i * 7919) % 100_003))
  }))
}
const ascending = Array.from({ length: 100_000 }, (_, i) => ({ bidder: `b${i % 2}`, amount: BigInt(i + 1), at: i }))
// 100k proxy maxima from 997 bidders in pseudo-random order: most lose to the leader's proxy and only move the price.
const maxima = sealed.bids.map((bid, i) => ({ bidder: bid.bidder, amount: bid.amount, at: i }))
const maxAmount = (bids: ReadonlyArray<{ readonly amount: bigint }>) => {
  let best = 0n
  for (const bid of bids) if (bid.amount > best) best = bid.amount
  return best
}

export default defineBench("economics", [
  {
    group: "ledger, 1000 transfers per run",
    baseline: {
      name: "plain Map<string, bigint> debit/credit",
      ops: transfers,
      fn: () => {
        for (const [from, to] of pairs) {
          plain.set(from, plain.get(from)! - 1n)
          plain.set(to, plain.get(to)! + 1n)
        }
      }
    },
    cases: [
      { name: "Ledger.transfer", ops: transfers, fn: ledgerRun(false) },
      { name: "Ledger.transfer with idempotency key", ops: transfers, fn: ledgerRun(true) }
    ]
  },
  {
    group: "single-item auctions, 100k bids (target: clear in ≤ 50 ms)",
    baseline: { name: "max over the amounts (a plain loop)", fn: () => maxAmount(sealed.bids) },
    cases: [
      { name: "Vickrey (second price), 100k sealed bids", fn: () => vickrey(sealed) },
      { name: "first price, 100k sealed bids", fn: () => firstPrice(sealed) },
      {
        name: "English, 100k ascending bids",
        fn: () => english("bench", { reserve: 1n, increment: 1n, deadline: 1_000_000 }, ascending)
      },
      {
        name: "proxy English, 100k ascending maxima",
        fn: () => proxyEnglish("bench", { reserve: 1n, increment: 1n, deadline: 1_000_000 }, ascending)
      },
      {
        name: "proxy English, 100k random maxima",
        fn: () => proxyEnglish("bench", { reserve: 1n, increment: 1n, deadline: 1_000_000 }, maxima)
      }
    ]
  },
  {
    group: "combinatorial winner determination (random bids, bundles of 1–4 items)",
    baseline: { name: "greedy by amount, 20 × 500 (not optimal)", fn: () => greedy(reference) },
    cases: [
      ...cases.map(([name, input]) => ({ name, fn: solve(input) })),
      { name: "VCG (1 + winners exact searches), 20 items × 100 bids", fn: () => Result.getOrThrow(vcg(cases[0]![1])) }
    ]
  },
  {
    group: "order book, 1000 limit orders per run (half cross)",
    baseline: { name: "pure submit (price-time priority, partial fills)", ops: orderCount, fn: pureRun },
    cases: [
      { name: "Marketplace.submit (escrow hold, capture per fill, scoped orders)", ops: orderCount, fn: marketRun }
    ]
  }
])
