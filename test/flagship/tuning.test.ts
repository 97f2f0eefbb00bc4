import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { AuctionHouse, Ledger } from "../../src/economics/index.ts"
import { bidFor, formatReport, runTuning } from "../../apps/flagship/index.ts"
import { MabeamTest } from "../../src/runtime/index.ts"
import { Orchestrator } from "../../src/variables/index.ts"

const run = (seed: string, rounds: number, chaos: number) =>
  runTuning({ seed, rounds, chaos, workers: 3 }).pipe(
    Effect.scoped,
    Effect.provide(
      Layer.mergeAll(
        AuctionHouse.AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.Ledger.layer)),
        Orchestrator.layer
      ).pipe(Layer.provideMerge(MabeamTest.layer({ seed })))
    )
  )

describe("flagship: agents tuning mljs models on iris", () => {
  it.effect("runs end to end in simulated time, recovers from chaos and conserves money", () =>
    Effect.gen(function* () {
      const report = yield* run("flagship-test", 3, 0.5)
      assert.strictEqual(report.trials, 9, "three slots per round, every slot sold")
      assert.isDefined(report.best)
      assert.isAbove(report.best!.accuracy, 0.8, "tuning finds a good model of the iris data")
      assert.strictEqual(report.ensemble.members.length, 3)
      assert.isAbove(report.ensemble.accuracy, 0.8)
      assert.strictEqual(report.baseline.evaluations, 9, "the baseline gets the team's evaluation budget")
      assert.isAbove(report.crashes, 0, "chaos killed workers")
      assert.strictEqual(report.recoveries, report.crashes, "every killed trial finished elsewhere")
      assert.strictEqual(report.restarts, report.crashes, "the supervisor restarted every killed worker")
      assert.isTrue(report.moneyConserved)
      const spent = report.strategies.reduce((sum, row) => sum + row.spent, 0n)
      assert.isAbove(Number(spent), 0)
      assert.strictEqual(
        report.strategies.reduce((sum, row) => sum + row.won, 0),
        9
      )
      assert.match(
        formatReport(report),
        /single-agent random search, 9 evaluations, same seed: \d+\.\d% → (the team wins|single-agent random search wins|the team and single-agent random search tie)/
      )
    })
  )

  it.effect("the same seed replays the same run; another seed gives another", () =>
    Effect.gen(function* () {
      const first = yield* run("replay", 2, 0.3)
      const second = yield* run("replay", 2, 0.3)
      const other = yield* run("other", 2, 0.3)
      assert.deepStrictEqual(first, { ...second, seed: first.seed })
      assert.notDeepEqual(first.improvements, other.improvements)
    })
  )

  it("an untried strategy bids its exploration value; bids never exceed what is available", () => {
    const summary = { strategies: { tpe: { proposals: 1, observations: 1, best: 0.9 } } } as unknown as Parameters<
      typeof bidFor
    >[0]
    assert.strictEqual(bidFor(summary, "random", 1000n), 30n)
    assert.strictEqual(bidFor(summary, "tpe", 1000n), 85n)
    assert.strictEqual(bidFor(summary, "tpe", 10n), 10n)
  })
})
