import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { formatFailure, simulate, simulateSeeds } from "../../src/sim/index.ts"
import { pbftScenario } from "./scenarios/pbft.ts"

describe("PBFT under the fault simulator", () => {
  it.effect("honest replicas agree with one equivocating or silent replica (the primary in a quarter of seeds): 200 seeds", () =>
    Effect.gen(function*() {
      const results = yield* simulateSeeds(pbftScenario, 1, 200)
      const failed = results.find((r) => !r.ok)
      assert.isUndefined(failed, failed === undefined ? "" : formatFailure("pbft", failed))
      assert.strictEqual(results.length, 200)
    }))

  it.effect("a quorum of 2f instead of 2f + 1 is caught when the primary equivocates, and replays", () =>
    Effect.gen(function*() {
      const result = yield* simulate(pbftScenario(4, true))
      assert.match(result.violation ?? "", /agreement: r\d committed req-0#A at seq 1, r\d committed req-0#B/)
      const again = yield* simulate(pbftScenario(4, true))
      assert.strictEqual(again.traceHash, result.traceHash)
    }))
})
