import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  duel,
  formatTeamReport,
  IRIS_FULL_COST,
  irisTask,
  randomSearch,
  spiralsTask
} from "../../apps/flagship/index.ts"

// A small budget keeps these runs to a second or two; the full-size comparison is in bench/flagship-seeds.bench.ts.
const small = { task: "spirals" as const, budget: 300, slots: 9 }

describe("flagship team against random search on a budget", () => {
  it.effect(
    "the seeded single run replays exactly; both contenders pay in epochs from the same budget; the team's ledger conserves money",
    () =>
      Effect.gen(function* () {
        const first = yield* duel({ ...small, seed: "replay" })
        const second = yield* duel({ ...small, seed: "replay" })
        assert.deepStrictEqual(first, second)
        assert.strictEqual(
          formatTeamReport(spiralsTask, first.team, first.random),
          formatTeamReport(spiralsTask, second.team, second.random)
        )
        const other = yield* duel({ ...small, seed: "other" })
        assert.notDeepEqual(other.team.improvements, first.team.improvements)

        const { random, team } = first
        assert.strictEqual(random.spent, small.budget, "random search spends exactly the budget")
        assert.isAtMost(team.spent, small.budget)
        assert.isAbove(team.spent, 0)
        assert.isTrue(team.moneyConserved)
        assert.isAtLeast(team.rounds, 1)
        // Every slot is sold; the last round's slots may outnumber what the budget can still train.
        assert.isAtLeast(
          team.strategies.reduce((sum, row) => sum + row.won, 0),
          team.rounds * small.slots
        )
        assert.isAbove(team.fullEvaluations, 0)
        assert.isBelow(team.fullEvaluations, team.candidates, "halving trains only the survivors in full")
        assert.isDefined(team.best)
        assert.isDefined(team.ensemble)
        for (const score of [team.best!.score, team.ensemble!.score, random.best]) {
          assert.isAtLeast(score, 0)
          assert.isAtMost(score, 1)
        }
        const text = formatTeamReport(spiralsTask, team, random)
        assert.include(text, `of an MLP on the spirals data`)
        assert.include(text, `single-agent random search, same ${small.budget} epochs`)
        assert.include(text, "`npm start -- --seeds 20`")
      })
  )

  it.effect("random search spends exactly its budget, the last configuration on what is left, and replays", () =>
    Effect.gen(function* () {
      const once = yield* randomSearch(spiralsTask, 75, "rs")
      assert.strictEqual(once.spent, 75)
      assert.deepStrictEqual(yield* randomSearch(spiralsTask, 75, "rs"), once)
      const iris = yield* randomSearch(irisTask("folds"), 2 * IRIS_FULL_COST + 4, "rs")
      assert.strictEqual(iris.evaluations, 3, "two full cross-validations and a partial one")
      assert.strictEqual(iris.spent, 2 * IRIS_FULL_COST + 4)
    })
  )

  it("a share of a configuration's budget costs that share of its epochs, at least one", () => {
    const assignment = { learningRate: 0.1, l2: 1e-4, hidden: 8, epochs: 30, batchSize: 16, activation: "tanh" }
    assert.strictEqual(spiralsTask.cost(assignment, 1), 30)
    assert.strictEqual(spiralsTask.cost(assignment, 1 / 3), 10)
    assert.strictEqual(spiralsTask.cost(assignment, 0.001), 1)
    assert.strictEqual(irisTask("f").cost(assignment, 1 / 3), 3)
  })
})
