import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { AgentSystem } from "../../src/agent/index.ts"
import { Ledger } from "../../src/economics/index.ts"
import { Hyperband } from "../../apps/ml-coordination/index.ts"
import { fund, withEconomy } from "./fixtures.ts"

const options = { maxResource: 9, eta: 3, seed: "hb-1", sponsor: "lab", compute: "gpu" }

describe("Hyperband", () => {
  it("shapes brackets from many short runs to few full ones", () => {
    assert.deepStrictEqual(Hyperband.brackets(9, 3), [
      { bracket: 2, candidates: 9, minResource: 1 },
      { bracket: 1, candidates: 5, minResource: 3 },
      { bracket: 0, candidates: 3, minResource: 9 }
    ])
  })

  it.effect("runs every bracket, returns the best winner, pays all epochs, and is deterministic", () =>
    Effect.gen(function* () {
      const once = withEconomy(
        Effect.gen(function* () {
          yield* fund({ lab: 10_000n, gpu: 0n })
          const result = yield* Hyperband.run(options)
          assert.strictEqual((yield* AgentSystem).size(), 0)
          assert.deepStrictEqual(yield* (yield* Ledger.Ledger).balance("gpu"), { available: result.spent, held: 0n })
          return result
        })
      )
      const first = yield* once
      // a bracket ends when one candidate is left: 9×1 + 3×3; 5×3; 3×9
      assert.strictEqual(first.spent, 18n + 15n + 27n)
      assert.deepStrictEqual(
        first.brackets.map((b) => b.result.rounds.length),
        [2, 1, 1]
      )
      for (const bracket of first.brackets)
        assert.isTrue(bracket.result.winner.accuracy <= first.best.result.winner.accuracy)
      assert.deepStrictEqual(yield* once, first)
    })
  )

  it.effect("stops at the first bracket it cannot pay for, and fails when it can pay for none", () =>
    withEconomy(
      Effect.gen(function* () {
        yield* fund({ lab: 30n, gpu: 0n, poor: 5n })
        const partial = yield* Hyperband.run(options)
        assert.strictEqual(partial.brackets.length, 1)
        const error = yield* Effect.flip(Hyperband.run({ ...options, sponsor: "poor", name: "other" }))
        assert.strictEqual(error._tag, "BudgetExhausted")
        assert.strictEqual((yield* Effect.flip(Hyperband.run({ ...options, maxResource: 0 })))._tag, "InvalidInput")
      })
    )
  )
})
