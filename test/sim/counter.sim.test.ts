import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { formatFailure, simulate, simulateSeeds } from "../../src/sim/index.ts"
import { counterScenario, raftCounterScenario } from "./scenarios/counter.ts"

describe("Counters under the fault simulator", () => {
  it.effect("single owner: acknowledged increments are linearizable and applied exactly once: 200 seeds", () =>
    Effect.gen(function* () {
      const results = yield* simulateSeeds(counterScenario, 1, 200)
      const failed = results.find((r) => !r.ok)
      assert.isUndefined(failed, failed === undefined ? "" : formatFailure("counter", failed))
      assert.strictEqual(results.length, 200)
    })
  )

  it.effect("an owner that applies resent increments again is caught", () =>
    Effect.gen(function* () {
      const results = yield* simulateSeeds((seed) => counterScenario(seed, true), 1, 20)
      const failed = results.find((r) => !r.ok)
      assert.isDefined(failed, "the checker must catch double application")
      assert.match(failed?.violation ?? "", /exactly once/)
    })
  )

  it.effect("Raft counter: acknowledged increments are linearizable, Raft stays safe: 200 seeds", () =>
    Effect.gen(function* () {
      const results = yield* simulateSeeds(raftCounterScenario, 1, 200)
      const failed = results.find((r) => !r.ok)
      assert.isUndefined(failed, failed === undefined ? "" : formatFailure("raft-counter", failed))
      assert.strictEqual(results.length, 200)
    })
  )

  it.effect("a Raft counter that acknowledges before commit is caught, and the seed replays identically", () =>
    Effect.gen(function* () {
      const broken = (seed: number) => raftCounterScenario(seed, true)
      const results = yield* simulateSeeds(broken, 1, 60)
      const failed = results.find((r) => !r.ok)
      assert.isDefined(failed, "the checker must catch the broken variant")
      if (failed === undefined) return
      assert.match(failed.violation ?? "", /exactly once|real-time order/)
      const again = yield* simulate(broken(failed.seed))
      assert.strictEqual(again.traceHash, failed.traceHash)
    })
  )
})

describe("Counters: the recorded history alone (linearizability checker, no per-step checks)", () => {
  it.effect("catches an owner that applies resent increments again", () =>
    Effect.gen(function* () {
      const results = yield* simulateSeeds((seed) => counterScenario(seed, true, "history"), 1, 10)
      const failed = results.find((r) => !r.ok)
      assert.isDefined(failed, "the linearizability checker must catch double application")
      assert.match(failed?.violation ?? "", /^linearizability: no linearization; after .* none of: c\d inc -> \d+/)
    })
  )

  it.effect("catches a Raft counter that acknowledges before commit", () =>
    Effect.gen(function* () {
      const results = yield* simulateSeeds((seed) => raftCounterScenario(seed, true, "history"), 1, 20)
      const failed = results.find((r) => !r.ok)
      assert.isDefined(failed, "the linearizability checker must catch acknowledgement before commit")
      assert.match(failed?.violation ?? "", /^linearizability: no linearization/)
    })
  )
})
