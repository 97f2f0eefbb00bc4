import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { formatFailure, simulate, simulateSeeds } from "../../src/sim/index.ts"
import { barrierScenario } from "./scenarios/barrier.ts"

describe("Barrier under the fault simulator", () => {
  it.effect("nobody passes before all arrive, and generations keep completing: 200 seeds", () =>
    Effect.gen(function* () {
      const results = yield* simulateSeeds(barrierScenario, 1, 200)
      const failed = results.find((r) => !r.ok)
      assert.isUndefined(failed, failed === undefined ? "" : formatFailure("barrier", failed))
      assert.strictEqual(results.length, 200)
    })
  )

  it.effect("a coordinator that does not wait for every party is caught", () =>
    Effect.gen(function* () {
      const result = yield* simulate(barrierScenario(1, true))
      assert.isFalse(result.ok)
      assert.match(result.violation ?? "", /passed generation \d+ when only 3 of 4 parties had arrived/)
    })
  )
})
