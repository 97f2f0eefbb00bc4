import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { Ledger } from "../../src/economics/index.ts"
import { Lmsr, PredictionMarket } from "../../apps/ml-coordination/index.ts"
import { fund, withEconomy } from "./fixtures.ts"

const traders = ["t0", "t1", "t2"] as const
const opening = { house: 1_000_000n, t0: 50_000n, t1: 50_000n, t2: 50_000n }
const options = { id: "m", outcomes: ["a", "b", "c"], liquidity: 20, payout: 100n, sponsor: "house" }

const balances = Effect.gen(function* () {
  const ledger = yield* Ledger.Ledger
  const out: Record<string, bigint> = {}
  for (const account of ["house", ...traders, "market:m"]) out[account] = (yield* ledger.balance(account)).available
  return out
})
const sum = (values: Record<string, bigint>) => Object.values(values).reduce((a, b) => a + b, 0n)

const Step = Schema.Struct({
  trader: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 2 })),
  outcome: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 2 })),
  shares: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 60 })),
  sell: Schema.Boolean
})

describe("LMSR", () => {
  it.prop(
    "prices are in [0, 1] and sum to 1",
    [
      Schema.Array(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 500 }))).check(
        Schema.isMinLength(2),
        Schema.isMaxLength(8)
      )
    ],
    ([q]) => {
      const p = Lmsr.prices(q, 10)
      for (const x of p) assert.isTrue(x >= 0 && x <= 1)
      assert.approximately(
        p.reduce((a, b) => a + b, 0),
        1,
        1e-9
      )
    }
  )

  it("the cost of a round trip is zero and the loss bound is b ln n", () => {
    assert.approximately(Lmsr.tradeCost([0, 0], 0, 10, 5) + Lmsr.tradeCost([10, 0], 0, -10, 5), 0, 1e-9)
    assert.approximately(Lmsr.cost([0, 0, 0, 0], 3), Lmsr.maxLoss(3, 4), 1e-12)
  })
})

describe("PredictionMarket", () => {
  it.effect.prop(
    "conserves money, keeps prices in bounds and bounds the maker's loss by b ln n",
    {
      steps: Schema.Array(Step).check(Schema.isMaxLength(25)),
      winner: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 2 }))
    },
    ({ steps, winner }) =>
      withEconomy(
        Effect.gen(function* () {
          yield* fund(opening)
          const before = sum(opening)
          const market = yield* PredictionMarket.make(options)
          assert.strictEqual(market.subsidy, BigInt(Math.ceil(100 * 20 * Math.log(3))))
          for (const step of steps) {
            const trade = {
              trader: traders[step.trader]!,
              outcome: options.outcomes[step.outcome]!,
              shares: step.shares
            }
            const held = (yield* market.position(trade.trader))[step.outcome]!
            if (step.sell && held > 0) yield* market.sell({ ...trade, shares: Math.min(held, trade.shares) })
            else if (!step.sell) yield* Effect.ignore(market.buy(trade))
            const prices = yield* market.prices
            for (const p of prices) assert.isTrue(p >= 0 && p <= 1)
            assert.approximately(
              prices.reduce((a, b) => a + b, 0),
              1,
              1e-9
            )
            assert.strictEqual(sum(yield* balances), before)
          }
          const settlement = yield* market.settle(options.outcomes[winner]!)
          const after = yield* balances
          assert.strictEqual(sum(after), before, "money is conserved")
          assert.strictEqual(after["market:m"], 0n, "the market account is emptied")
          assert.isTrue(settlement.makerLoss <= market.subsidy, "loss at most b ln n (in minor units, rounded up)")
          assert.strictEqual((yield* (yield* Ledger.Ledger).audit).supply, before)
        })
      ),
    { arbitrary: { runs: 40 } }
  )

  it.effect("a buy raises its outcome's price; settlement pays each winning share and refunds the sponsor", () =>
    withEconomy(
      Effect.gen(function* () {
        yield* fund(opening)
        const market = yield* PredictionMarket.make({ ...options, outcomes: ["a", "b"] })
        assert.deepStrictEqual(yield* market.prices, [0.5, 0.5])
        const quote = yield* market.quote({ outcome: "a", shares: 20 })
        const fill = yield* market.buy({ trader: "t0", outcome: "a", shares: 20 })
        assert.strictEqual(fill.amount, quote)
        assert.strictEqual(fill.amount, BigInt(Math.ceil(100 * Lmsr.tradeCost([0, 0], 0, 20, 20))))
        assert.isTrue(fill.prices[0]! > 0.7)
        yield* market.buy({ trader: "t1", outcome: "b", shares: 5 })
        const sold = yield* market.sell({ trader: "t0", outcome: "a", shares: 5 })
        assert.strictEqual(sold.side, "sell")
        assert.deepStrictEqual(yield* market.position("t0"), [15, 0])
        const settlement = yield* market.settle("a")
        assert.deepStrictEqual(settlement.payouts, [{ trader: "t0", amount: 1_500n }])
        const after = yield* balances
        assert.strictEqual(after["t0"], 50_000n - fill.amount + sold.amount + 1_500n)
        assert.strictEqual(
          after["house"]! + after["t0"]! + after["t1"]!,
          1_100_000n,
          "t1 lost its stake to the sponsor"
        )
      })
    )
  )

  it.effect("after settlement, trades and a second settlement fail with MarketSettled", () =>
    withEconomy(
      Effect.gen(function* () {
        yield* fund(opening)
        const market = yield* PredictionMarket.make(options)
        yield* market.settle("b")
        const error = yield* Effect.flip(market.buy({ trader: "t0", outcome: "a", shares: 1 }))
        assert.strictEqual(error._tag, "MarketSettled")
        assert.strictEqual(error.message, `market "m" is settled (outcome 1)`)
        assert.strictEqual((yield* Effect.flip(market.settle("a")))._tag, "MarketSettled")
        assert.deepStrictEqual(yield* balances, { ...opening, "market:m": 0n })
      })
    )
  )

  it.effect("failed trades change nothing: no funds, too few shares, unknown outcome", () =>
    withEconomy(
      Effect.gen(function* () {
        yield* fund({ ...opening, t2: 10n })
        const market = yield* PredictionMarket.make(options)
        const funds = yield* Effect.flip(market.buy({ trader: "t2", outcome: "a", shares: 50 }))
        assert.strictEqual(funds._tag, "InsufficientFunds")
        const shares = yield* Effect.flip(market.sell({ trader: "t1", outcome: "a", shares: 1 }))
        assert.strictEqual(shares._tag, "InsufficientShares")
        assert.strictEqual(shares.message, `trader "t1" holds 0 shares of outcome 0 in market "m", cannot sell 1`)
        const unknown = yield* Effect.flip(market.buy({ trader: "t0", outcome: "z", shares: 1 }))
        assert.strictEqual(unknown._tag, "InvalidInput")
        assert.match(unknown.message, /unknown outcome "z"/)
        assert.strictEqual(
          (yield* Effect.flip(market.buy({ trader: "t0", outcome: "a", shares: 0 })))._tag,
          "InvalidInput"
        )
        assert.strictEqual(
          (yield* Effect.flip(market.buy({ trader: "nobody", outcome: "a", shares: 1 })))._tag,
          "UnknownAccount"
        )
        assert.deepStrictEqual(yield* market.prices, Lmsr.prices([0, 0, 0], 20))
        assert.deepStrictEqual(yield* market.position("t2"), [0, 0, 0])
        assert.deepStrictEqual(yield* balances, {
          ...opening,
          t2: 10n,
          house: 1_000_000n - market.subsidy,
          "market:m": market.subsidy
        })
      })
    )
  )

  it.effect("opening fails on bad options, a taken id, or a sponsor who cannot pay the subsidy", () =>
    withEconomy(
      Effect.gen(function* () {
        yield* fund({ house: 10n, rich: 1_000_000n })
        assert.strictEqual(
          (yield* Effect.flip(PredictionMarket.make({ ...options, outcomes: ["a", "a"] })))._tag,
          "InvalidInput"
        )
        assert.strictEqual(
          (yield* Effect.flip(PredictionMarket.make({ ...options, liquidity: 0 })))._tag,
          "InvalidInput"
        )
        assert.strictEqual((yield* Effect.flip(PredictionMarket.make(options)))._tag, "InsufficientFunds")
        assert.strictEqual(
          (yield* Effect.flip(PredictionMarket.make({ ...options, sponsor: "rich" })))._tag,
          "AccountExists"
        )
        yield* PredictionMarket.make({ ...options, id: "m2", sponsor: "rich" })
      })
    )
  )

  it.effect("agents trade on their beliefs: each buys until the price reaches its belief", () =>
    withEconomy(
      Effect.gen(function* () {
        yield* fund(opening)
        const system = yield* AgentSystem
        const market = yield* PredictionMarket.make({ ...options, id: "m", outcomes: ["a-beats-b", "b-beats-a"] })
        const Trade = Agent.request("Trade", {}, Schema.Number)
        const believer = (account: string, outcome: number, belief: number) =>
          Agent.make({
            name: "believer",
            messages: Trade,
            initial: () => 0,
            handle: (bought: number, msg, ctx) =>
              Effect.gen(function* () {
                let total = bought
                while ((yield* market.prices)[outcome]! < belief) {
                  yield* market.buy({ trader: account, outcome: market.outcomes[outcome]!, shares: 1 })
                  total++
                }
                ctx.reply(msg, total)
                return total
              }).pipe(Effect.orDie)
          })
        const bull = yield* system.spawn(believer("t0", 0, 0.8))
        const bear = yield* system.spawn(believer("t1", 1, 0.4))
        const boughtA = yield* bull.ask(Trade.make({}))
        const boughtB = yield* bear.ask(Trade.make({}))
        assert.isTrue(boughtA > 0 && boughtB > 0)
        const [pa, pb] = yield* market.prices
        assert.isTrue(pa! >= 0.6 - 0.05 && pb! >= 0.4, `prices ${pa} ${pb} sit between the beliefs`)
        yield* market.settle("a-beats-b")
        assert.strictEqual((yield* Ledger.Ledger.use((l) => l.balance("market:m"))).available, 0n)
        assert.strictEqual(sum(yield* balances), sum(opening))
      })
    )
  )
})
