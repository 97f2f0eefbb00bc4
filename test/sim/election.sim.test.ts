import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { formatFailure, simulate, simulateSeeds } from "../../src/sim/index.ts"
import { electionScenario } from "./scenarios/election.ts"

describe("Leader election under the fault simulator", () => {
  it.effect("one leader per term, never two unexpired leases, a leader again once healed: 200 seeds", () =>
    Effect.gen(function* () {
      const results = yield* simulateSeeds(electionScenario, 1, 200)
      const failed = results.find((r) => !r.ok)
      assert.isUndefined(failed, failed === undefined ? "" : formatFailure("election", failed))
      assert.strictEqual(results.length, 200)
    })
  )

  it.effect("voters that ignore their promise to the leader are caught, and the seed replays identically", () =>
    Effect.gen(function* () {
      const broken = (seed: number) => electionScenario(seed, true)
      const results = yield* simulateSeeds(broken, 1, 40)
      const failed = results.find((r) => !r.ok)
      assert.isDefined(failed, "the checker must catch the broken variant")
      if (failed === undefined) return
      assert.match(failed.violation ?? "", /lease exclusivity/)
      const again = yield* simulate(broken(failed.seed))
      assert.strictEqual(again.traceHash, failed.traceHash)
    })
  )
})
