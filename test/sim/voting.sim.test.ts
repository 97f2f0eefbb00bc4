import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { formatFailure, simulate, simulateSeeds } from "../../src/sim/index.ts"
import { votingScenario } from "./scenarios/voting.ts"

describe("Polls under the fault simulator", () => {
  it.effect("one real ballot per voter, closed by the deadline with the exact count: 200 seeds", () =>
    Effect.gen(function* () {
      const results = yield* simulateSeeds(votingScenario, 1, 200)
      const failed = results.find((r) => !r.ok)
      assert.isUndefined(failed, failed === undefined ? "" : formatFailure("voting", failed))
      assert.strictEqual(results.length, 200)
    })
  )

  it.effect("a collector that counts duplicated ballots is caught", () =>
    Effect.gen(function* () {
      const result = yield* simulate(votingScenario(1, true))
      assert.isFalse(result.ok)
      assert.match(result.violation ?? "", /counted twice in poll \d+/)
    })
  )
})
