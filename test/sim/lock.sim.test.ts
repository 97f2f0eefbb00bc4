import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { formatFailure, simulate, simulateSeeds } from "../../src/sim/index.ts"
import { lockScenario } from "./scenarios/lock.ts"

describe("Lease lock under the fault simulator", () => {
  it.effect("never two holders with valid leases, fencing tokens strictly increase: 200 seeds", () =>
    Effect.gen(function*() {
      const results = yield* simulateSeeds(lockScenario, 1, 200)
      const failed = results.find((r) => !r.ok)
      assert.isUndefined(failed, failed === undefined ? "" : formatFailure("lock", failed))
      assert.strictEqual(results.length, 200)
    }))

  it.effect("an owner that ignores leases is caught at once", () =>
    Effect.gen(function*() {
      const result = yield* simulate(lockScenario(1, true))
      assert.isFalse(result.ok)
      assert.match(result.violation ?? "", /mutual exclusion: c\d and c\d both hold a valid lease on L/)
    }))
})
