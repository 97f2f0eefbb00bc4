import { assert, describe, it } from "@effect/vitest"
import { Effect, Random } from "effect"
import { crossValidate, irisSpace } from "../../apps/ml/index.ts"
import {
  beliefOf,
  crossValidateOnBudget,
  parseMode,
  type Question,
  resolve,
  type Standing,
  TRADERS
} from "../../apps/flagship/index.ts"
import { sample } from "../../src/variables/index.ts"

const [chartist, skeptic, noise] = TRADERS as [
  (typeof TRADERS)[number],
  (typeof TRADERS)[number],
  (typeof TRADERS)[number]
]
const standing = (id: string, family: string, rung: number, accuracy: number, alive: boolean): Standing => ({
  id,
  family,
  rung,
  accuracy,
  alive
})
const duel: Question = { _tag: "Duel", id: "duel", a: "candidate-1", b: "candidate-2" }

describe("flagship tournament markets", () => {
  it("a duel resolves to whoever finishes first; the family and versus questions to the ending's", () => {
    const ending = {
      finish: ["candidate-3", "candidate-2", "candidate-1"],
      winnerFamily: "knn",
      versus: "tie" as const
    }
    assert.strictEqual(resolve(duel, ending), "candidate-2")
    assert.strictEqual(resolve({ _tag: "Family", id: "family" }, ending), "knn")
    assert.strictEqual(resolve({ _tag: "Versus", id: "versus" }, ending), "tie")
  })

  it("traders are sure of a duel once one side is out, and sway with the scores by their sharpness otherwise", () => {
    const out = [standing("candidate-1", "knn", 1, 0.9, true), standing("candidate-2", "knn", 0, 0.95, false)]
    assert.isAbove(beliefOf(skeptic, duel, out, () => 0)[0]!, 0.95, "the one still in finishes ahead")
    const close = [standing("candidate-1", "knn", 0, 0.92, true), standing("candidate-2", "logistic", 0, 0.9, true)]
    const sharp = beliefOf(chartist, duel, close, () => 0)[0]!
    const dull = beliefOf(skeptic, duel, close, () => 0)[0]!
    assert.isAbove(sharp, dull)
    assert.isAbove(dull, 0.5)
  })

  it("a family with no candidate left is all but ruled out; beliefs are probabilities", () => {
    const field = [
      standing("candidate-1", "knn", 0, 0.95, true),
      standing("candidate-2", "random-forest", 0, 0.93, true),
      standing("candidate-3", "logistic", 0, 0.6, false)
    ]
    const belief = beliefOf(chartist, { _tag: "Family", id: "family" }, field, () => 0)
    assert.closeTo(
      belief.reduce((sum, p) => sum + p, 0),
      1,
      1e-12
    )
    assert.isBelow(belief[2]!, 0.02)
    assert.isAbove(belief[0]!, belief[1]!)
    const draws = [0.9, 0.1, 0.5]
    const random = beliefOf(noise, { _tag: "Family", id: "family" }, field, () => draws.shift()!)
    assert.closeTo(
      random.reduce((sum, p) => sum + p, 0),
      1,
      1e-12
    )
    assert.isAbove(random[0]!, random[1]!, "the noise trader follows its draws")
  })

  it.effect("training on all the rows is plain cross-validation; on fewer it replays under a seed", () =>
    Effect.gen(function* () {
      const assignment = yield* sample(irisSpace).pipe(Random.withSeed("fidelity-config"))
      const full = yield* crossValidateOnBudget(assignment, { fraction: 1, foldSeed: "folds" }).pipe(
        Random.withSeed("s")
      )
      assert.strictEqual(full, yield* crossValidate([assignment], { foldSeed: "folds" }).pipe(Random.withSeed("s")))
      const low = yield* crossValidateOnBudget(assignment, { fraction: 1 / 9, foldSeed: "folds" }).pipe(
        Random.withSeed("s")
      )
      assert.strictEqual(
        low,
        yield* crossValidateOnBudget(assignment, { fraction: 1 / 9, foldSeed: "folds" }).pipe(Random.withSeed("s"))
      )
      assert.isAtLeast(low, 0)
      assert.isAtMost(low, 1)
    })
  )

  it("--mode accepts default and tournament, and names the modes when given anything else", () => {
    assert.deepStrictEqual(parseMode(undefined), { _tag: "Mode", mode: "default" })
    assert.deepStrictEqual(parseMode("tournament"), { _tag: "Mode", mode: "tournament" })
    assert.deepStrictEqual(parseMode("bogus"), {
      _tag: "Invalid",
      message: '--mode must be one of default, tournament; got "bogus"'
    })
  })
})
