import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Random } from "effect"
import { AgentSystem } from "../../src/agent/index.ts"
import { Ledger } from "../../src/economics/index.ts"
import {
  ACCOUNTS,
  formatTournamentReport,
  HOUSE_FUNDS,
  PAYOUT,
  planRungs,
  runTournament,
  TRADER_FUNDS,
  TRADERS,
  type TournamentModeOptions
} from "../../apps/flagship/index.ts"
import { MabeamTest } from "../../src/runtime/index.ts"

const services = (seed: string) => Ledger.Ledger.layer.pipe(Layer.provideMerge(MabeamTest.layer({ seed })))

/** A small tournament: 9 candidates, eta 3 — two rungs (9 on a third of the data, then 3 on all of it). */
const run = (seed: string, options: Partial<TournamentModeOptions> = {}) =>
  runTournament({ seed, candidates: 9, ...options }).pipe(Effect.scoped, Effect.provide(services(seed)))

describe("flagship tournament mode: successive halving with prediction markets", () => {
  it("plans rungs by successive halving until one candidate is left", () => {
    assert.deepStrictEqual(planRungs(27, 3), [27, 9, 3])
    assert.deepStrictEqual(planRungs(9, 3), [9, 3])
    assert.deepStrictEqual(planRungs(10, 3), [10, 3])
    assert.deepStrictEqual(planRungs(2, 3), [2])
    assert.deepStrictEqual(planRungs(64, 2), [64, 32, 16, 8, 4, 2])
  })

  it.effect(
    "halves the field each rung, pays every evaluation from the ledger and stops the losers through their supervisor",
    () =>
      Effect.gen(function* () {
        const report = yield* runTournament({ seed: "t-end-to-end", candidates: 9, budget: 100 })
        const ledger = yield* Ledger.Ledger
        const agents = yield* AgentSystem

        assert.deepStrictEqual(
          report.rungs.map((rung) => rung.candidates),
          [9, 3]
        )
        assert.deepStrictEqual(
          report.rungs.map((rung) => rung.fraction),
          [1 / 3, 1]
        )
        assert.deepStrictEqual(
          report.rungs.map((rung) => rung.survivors.length),
          [3, 1]
        )
        assert.deepStrictEqual(
          report.rungs.map((rung) => rung.running),
          [3, 1],
          "only the survivors still run after each rung"
        )
        assert.strictEqual(report.stopped, 8)
        assert.isFalse(report.exhausted)
        assert.strictEqual(report.winner.fraction, 1, "the winner's score is a full cross-validation")
        assert.isAbove(report.winner.accuracy, 0.8)
        assert.strictEqual(report.rungs[1]!.survivors[0], report.winner.id)
        assert.isTrue(report.rungs[0]!.survivors.includes(report.winner.id))
        for (let i = 1; i <= 9; i++) {
          assert.isTrue(
            Option.isNone(agents.lookup(`candidate-${i}`)),
            "Tournament.run stops every candidate when it ends"
          )
        }

        // 9 candidates at 1 credit, then 3 at 3: 18 credits = 6 full evaluations, and the baseline gets as many.
        assert.deepStrictEqual(
          report.rungs.map((rung) => rung.cost),
          [9n, 9n]
        )
        assert.strictEqual(report.spent, 18n)
        assert.strictEqual(report.evaluations, 6)
        assert.strictEqual(report.baseline.evaluations, 6)
        assert.strictEqual((yield* ledger.balance(ACCOUNTS.compute)).available, 18n)
        assert.strictEqual((yield* ledger.balance(ACCOUNTS.sponsor)).available, 82n)
        assert.strictEqual(report.clockMillis, 100, "one trading window between the two rungs")

        const text = formatTournamentReport(report)
        assert.match(text, /tournament mode: 9 candidate agents, successive halving \(eta 3\)/)
        assert.include(text, `winner ${report.winner.id} ${report.winner.config}`)
        assert.include(
          text,
          "18 of 100 credits paid from the ledger = 6.0 full evaluations for 9 configurations; 8 losers stopped by their supervisor"
        )
        assert.match(
          text,
          /single-agent random search, 6 evaluations, same seed: \d+\.\d% → (the tournament wins|single-agent random search wins|the tournament and single-agent random search tie)/
        )
        assert.match(text, /does candidate-\d+ finish ahead of candidate-\d+\?/)
        assert.match(text, /which model family wins\?\s+knn \d+% · random-forest \d+% · logistic \d+%/)
        assert.include(text, "money conserved (2000 credits before and after, no escrow left)")
      }).pipe(Effect.provide(services("t-end-to-end")))
  )

  it.effect("the markets settle on how the tournament ended, through the ledger, conserving money", () =>
    Effect.gen(function* () {
      const report = yield* runTournament({ seed: "t-markets", candidates: 27, budget: 400 })
      const ledger = yield* Ledger.Ledger
      const minted = 400n + HOUSE_FUNDS + TRADER_FUNDS * BigInt(TRADERS.length)

      assert.isTrue(report.money.conserved)
      assert.strictEqual(report.money.before, minted)
      assert.strictEqual(report.money.after, minted)
      const totals = yield* ledger.audit
      assert.strictEqual(totals.supply, minted)
      assert.strictEqual(totals.held, 0n)

      assert.deepStrictEqual(
        report.markets.map((market) => market.id),
        ["duel", "family", "versus"]
      )
      const [duel, family, versus] = report.markets
      assert.strictEqual(family!.outcome, report.winner.family)
      assert.strictEqual(versus!.outcome, report.versus)
      assert.include(duel!.outcomes, duel!.outcome)
      assert.deepStrictEqual(
        duel!.outcomes,
        report.rungs[0]!.survivors.slice(0, 2),
        "the duel is between the first rung's two best"
      )
      for (const market of report.markets) {
        assert.closeTo(
          market.prices.reduce((sum, p) => sum + p, 0),
          1,
          1e-9
        )
        assert.isAtMost(Number(market.makerLoss), Math.ceil(market.lossBound), "the maker loses at most b·ln n")
        assert.isTrue(market.makerLoss <= market.subsidy, "the maker loses at most its subsidy")
        for (const payout of market.payouts)
          assert.strictEqual(payout.amount % PAYOUT, 0n, "each winning share pays the same")
        const { available, held } = yield* ledger.balance(`market:${market.id}`)
        assert.strictEqual(available + held, 0n, "a settled market holds nothing")
      }
      // What the traders won together is exactly what the house (the market maker's sponsor) lost.
      const profits = report.traders.reduce((sum, trader) => sum + trader.profit, 0n)
      const losses = report.markets.reduce((sum, market) => sum + market.makerLoss, 0n)
      assert.strictEqual(profits, losses)
      assert.strictEqual((yield* ledger.balance(ACCOUNTS.house)).available, HOUSE_FUNDS - losses)
      assert.isAbove(
        report.traders.reduce((sum, trader) => sum + trader.fills, 0),
        0,
        "the traders traded"
      )
      for (const trader of report.traders) {
        assert.strictEqual((yield* ledger.balance(trader.name)).available, TRADER_FUNDS + trader.profit)
      }
    }).pipe(Effect.provide(services("t-markets")))
  )

  it.effect(
    "the same seed replays the same tournament and summary, whatever the global Random; another seed gives another",
    () =>
      Effect.gen(function* () {
        const first = yield* run("replay", { candidates: 6 }).pipe(Random.withSeed("one"))
        const second = yield* run("replay", { candidates: 6 }).pipe(Random.withSeed("two"))
        const other = yield* run("another", { candidates: 6 })
        assert.deepStrictEqual(first, second)
        assert.strictEqual(formatTournamentReport(first), formatTournamentReport(second))
        assert.notDeepEqual(first.rungs, other.rungs)
      })
  )

  it.effect("stops when the sponsor cannot pay the next rung, and fails typed when it cannot pay the first", () =>
    Effect.gen(function* () {
      const short = yield* run("short", { budget: 10 })
      assert.isTrue(short.exhausted)
      assert.strictEqual(short.rungs.length, 1)
      assert.strictEqual(short.spent, 9n)
      assert.strictEqual(short.winner.fraction, 1 / 3)
      assert.strictEqual(short.winner.id, short.rungs[0]!.survivors[0])
      assert.isTrue(short.money.conserved)
      assert.match(formatTournamentReport(short), /could not pay rung 2 of 2/)

      const broke = yield* Effect.flip(run("broke", { budget: 5 }))
      assert.strictEqual(broke._tag, "BudgetExhausted")
      const invalid = yield* Effect.flip(run("invalid", { candidates: 1 }))
      assert.strictEqual(invalid._tag, "InvalidInput")
    })
  )
})
