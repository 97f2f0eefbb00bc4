import { assert, describe, it } from "@effect/vitest"
import { Effect, Random } from "effect"
import {
  type Assignment,
  assignmentKey,
  bestScore,
  checkAssignment,
  GridSearch,
  RandomSearch,
  search,
  type Space,
  type Strategy,
  Tpe
} from "../../src/variables/index.ts"

/** Branin-Hoo on [-5, 10] x [0, 15]; global minimum 0.397887 at three points. */
const BRANIN_MIN = 0.397887
const branin = (a: Assignment): number => {
  const x1 = a["x1"] as number
  const x2 = a["x2"] as number
  const b = 5.1 / (4 * Math.PI ** 2)
  const c = 5 / Math.PI
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10
}
const braninSpace: Space = {
  x1: { _tag: "continuous", min: -5, max: 10 },
  x2: { _tag: "continuous", min: 0, max: 15 }
}
const mixed: Space = {
  lr: { _tag: "continuous", min: 1e-4, max: 1, log: true },
  hidden: { _tag: "integer", min: 2, max: 32 },
  activation: { _tag: "categorical", values: ["tanh", "relu", "sigmoid"] }
}
/** A mixed objective with its optimum at lr = 0.03, hidden = 20, activation = relu. */
const mixedObjective = (a: Assignment): number =>
  (Math.log10(a["lr"] as number) - Math.log10(0.03)) ** 2 +
  ((a["hidden"] as number) - 20) ** 2 / 100 +
  (a["activation"] === "relu" ? 0 : 1)

const regret = (strategy: Strategy, seed: number, budget: number) =>
  search(strategy, {
    space: braninSpace,
    goal: "minimize",
    budget,
    objective: (a) => Effect.succeed(branin(a))
  }).pipe(
    Effect.map((trace) => bestScore(trace, "minimize")! - BRANIN_MIN),
    Random.withSeed(`branin-${seed}`)
  )

const strategies: ReadonlyArray<Strategy> = [RandomSearch, GridSearch.make(), Tpe.make({ startup: 5 })]

describe("strategies", () => {
  for (const strategy of strategies) {
    it.effect(`${strategy.name}: the same seed gives the same proposals`, () =>
      Effect.gen(function* () {
        const run = search(strategy, {
          space: mixed,
          goal: "minimize",
          budget: 25,
          objective: (a) => Effect.succeed(mixedObjective(a))
        }).pipe(Effect.map((trace) => trace.map((o) => o.assignment)))
        const a = yield* run.pipe(Random.withSeed(11))
        const b = yield* run.pipe(Random.withSeed(11))
        assert.deepStrictEqual(a, b)
        for (const assignment of a) yield* checkAssignment(mixed, assignment)
      })
    )
  }

  it.effect("random and TPE proposals differ between seeds", () =>
    Effect.gen(function* () {
      for (const strategy of [RandomSearch, Tpe.make({ startup: 2 })]) {
        const run = search(strategy, {
          space: mixed,
          goal: "minimize",
          budget: 6,
          objective: (a) => Effect.succeed(mixedObjective(a))
        })
        const a = yield* run.pipe(Random.withSeed(1))
        const b = yield* run.pipe(Random.withSeed(2))
        assert.notDeepEqual(
          a.map((o) => o.assignment),
          b.map((o) => o.assignment)
        )
      }
    })
  )

  it.effect("grid search visits distinct points and skips pending ones", () =>
    Effect.gen(function* () {
      const space: Space = {
        a: { _tag: "integer", min: 0, max: 3 },
        b: { _tag: "categorical", values: ["x", "y", "z"] }
      }
      const trace = yield* search(GridSearch.make(), {
        space,
        goal: "maximize",
        budget: 12,
        objective: () => Effect.succeed(0)
      })
      assert.strictEqual(new Set(trace.map((o) => assignmentKey(o.assignment))).size, 12)
      const first = trace[0]!.assignment
      const next = yield* GridSearch.make().propose({ space, goal: "maximize", observations: [], pending: [first] })
      assert.notDeepEqual(next, first)
    })
  )

  it.effect("TPE finds the optimum region of a mixed log/integer/categorical objective", () =>
    Effect.gen(function* () {
      const trace = yield* search(Tpe.make(), {
        space: mixed,
        goal: "minimize",
        budget: 60,
        objective: (a) => Effect.succeed(mixedObjective(a))
      }).pipe(Random.withSeed("mixed"))
      const best = trace.reduce((b, o) => (o.score < b.score ? o : b))
      assert.strictEqual(best.assignment["activation"], "relu")
      assert.isBelow(best.score, 0.1)
    })
  )

  // The statistical claim of issue #9. 24 seeds, 40 evaluations each (TPE: 5 random, then the
  // model). Thresholds: TPE's mean regret is at most half of random search's, and TPE is better
  // on at least 17 of 24 seeds (a one-sided sign test at p ≈ 0.032 if both were equally good).
  // Measured: mean regret ≈ 0.2 (TPE) vs ≈ 1.2 (random), TPE better on ≈ 85% of seeds.
  it.effect("TPE beats random search on Branin, averaged over 24 seeds", () =>
    Effect.gen(function* () {
      const seeds = Array.from({ length: 24 }, (_, i) => i)
      let tpeTotal = 0
      let randomTotal = 0
      let wins = 0
      for (const seed of seeds) {
        const tpe = yield* regret(Tpe.make({ startup: 5 }), seed, 40)
        const random = yield* regret(RandomSearch, seed, 40)
        tpeTotal += tpe
        randomTotal += random
        if (tpe < random) wins++
      }
      const tpeMean = tpeTotal / seeds.length
      const randomMean = randomTotal / seeds.length
      assert.isAtMost(tpeMean, 0.5 * randomMean, `TPE mean regret ${tpeMean}, random ${randomMean}`)
      assert.isAtLeast(wins, 17, `TPE better on ${wins} of ${seeds.length} seeds`)
    })
  )
})
