import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { formatFailure, simulate, simulateSeeds } from "../../src/sim/index.ts"
import { raftScenario } from "./scenarios/raft.ts"

describe("Raft under the fault simulator", () => {
  it.effect("the same seed gives the same trace", () =>
    Effect.gen(function* () {
      const a = yield* simulate(raftScenario(7))
      const b = yield* simulate(raftScenario(7))
      const c = yield* simulate(raftScenario(8))
      assert.isTrue(a.ok, formatFailure("raft", a))
      assert.strictEqual(a.traceHash, b.traceHash)
      assert.strictEqual(a.traceCount, b.traceCount)
      assert.deepStrictEqual(a.traceTail, b.traceTail)
      assert.notStrictEqual(a.traceHash, c.traceHash)
      assert.isAbove(a.stats.dropped, 0)
    })
  )

  it.effect("election safety, log matching, leader completeness and state-machine safety hold over 200 seeds", () =>
    Effect.gen(function* () {
      const results = yield* simulateSeeds(raftScenario, 1, 200)
      const failed = results.find((r) => !r.ok)
      assert.isUndefined(failed, failed === undefined ? "" : formatFailure("raft", failed))
      assert.strictEqual(results.length, 200)
    })
  )

  it.effect("Raft without the term check is caught, and its failing seed replays identically", () =>
    Effect.gen(function* () {
      const broken = (seed: number) => raftScenario(seed, { unsafe: { ignoreTerm: true } })
      const results = yield* simulateSeeds(broken, 1, 60)
      const failed = results.find((r) => !r.ok)
      assert.isDefined(failed, "the checker must catch the broken variant")
      if (failed === undefined) return
      assert.match(failed.violation ?? "", /safety|matching|completeness/)
      assert.strictEqual(failed.replay, `npm exec -- node test/sim/run.ts raft-broken --seed ${failed.seed}`)
      assert.include(formatFailure("raft-broken", failed), `seed ${failed.seed}`)
      const again = yield* simulate(broken(failed.seed))
      assert.strictEqual(again.violation, failed.violation)
      assert.strictEqual(again.traceHash, failed.traceHash)
    })
  )

  it.effect(
    "steered toward Figure 8 (one entry per Append, leaders deposed at the dangerous moment): Raft's safety holds over 10 seeds",
    () =>
      Effect.gen(function* () {
        const results = yield* simulateSeeds((seed) => raftScenario(seed, { steer: "figure8" }), 1, 10)
        const failed = results.find((r) => !r.ok)
        assert.isUndefined(failed, failed === undefined ? "" : formatFailure("raft-figure8", failed))
        assert.strictEqual(results.length, 10)
      })
  )

  it.effect(
    "without the commit rule's current-term check, the steered runs' checkers catch Figure 8 within 40 seeds",
    () =>
      Effect.gen(function* () {
        // Unsteered, 100 seeds of this broken variant pass (raft-old-term-commit-broken): the new
        // leader's no-op travels with the old entry, so the window never opens.
        const broken = (seed: number) => raftScenario(seed, { steer: "figure8", unsafe: { commitOldTerms: true } })
        const results = yield* simulateSeeds(broken, 1, 40)
        const failed = results.find((r) => !r.ok)
        assert.isDefined(failed, "the checkers must catch an old-term commit being overwritten")
        assert.match(failed?.violation ?? "", /^(leader completeness|state-machine safety): /)
      })
  )
})
