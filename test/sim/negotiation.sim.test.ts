import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { formatFailure, simulate, simulateSeeds } from "../../src/sim/index.ts"
import { bargainScenario, contractNetScenario } from "./scenarios/negotiation.ts"

describe("Negotiation under the fault simulator", () => {
  it.effect("contract-net: awards go to the best real bid by the deadline, never to two contractors: 200 seeds", () =>
    Effect.gen(function* () {
      const results = yield* simulateSeeds(contractNetScenario, 1, 200)
      const failed = results.find((r) => !r.ok)
      assert.isUndefined(failed, failed === undefined ? "" : formatFailure("contract-net", failed))
      assert.strictEqual(results.length, 200)
    })
  )

  it.effect("a manager that awards to the first bidder is caught", () =>
    Effect.gen(function* () {
      const result = yield* simulate(contractNetScenario(1, true))
      assert.match(result.violation ?? "", /award correctness: task \d+ went to k\d/)
    })
  )

  it.effect("bargaining: deals are rational, really offered, before the deadline and agreed by both: 200 seeds", () =>
    Effect.gen(function* () {
      const results = yield* simulateSeeds(bargainScenario, 1, 200)
      const failed = results.find((r) => !r.ok)
      assert.isUndefined(failed, failed === undefined ? "" : formatFailure("bargain", failed))
      assert.strictEqual(results.length, 200)
    })
  )

  it.effect("a seller that accepts any offer is caught", () =>
    Effect.gen(function* () {
      const result = yield* simulate(bargainScenario(1, true))
      assert.match(result.violation ?? "", /rationality: deal at 20 outside \[60, 100\]/)
    })
  )
})
