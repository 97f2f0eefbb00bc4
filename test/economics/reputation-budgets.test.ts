import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { InvalidInput } from "../../src/errors/index.ts"
import { BudgetExceeded, Budgets, TooManyBudgets, UnknownBudget } from "../../src/economics/budgets/index.ts"
import { InsufficientFunds, Ledger } from "../../src/economics/ledger/index.ts"
import { Reputation, SelfRating } from "../../src/economics/reputation/index.ts"

describe("Reputation", () => {
  const layer = Reputation.layerWith({ halfLife: 1000, maxRaterWeight: 3, prior: 0.5, priorWeight: 2 })

  it.effect("good outcomes raise a score and bad ones lower it", () =>
    Effect.gen(function* () {
      const rep = yield* Reputation
      assert.strictEqual((yield* rep.standing("x")).score, 0.5)
      yield* rep.rate({ subject: "x", rater: "a", outcome: 1 })
      yield* rep.rate({ subject: "x", rater: "b", outcome: 1 })
      assert.strictEqual((yield* rep.standing("x")).score, (1 + 2) / 4)
      yield* rep.rate({ subject: "y", rater: "a", outcome: 0 })
      assert.isBelow((yield* rep.standing("y")).score, 0.5)
    }).pipe(Effect.provide(layer))
  )

  it.effect("one rater's influence is bounded however often it rates", () =>
    Effect.gen(function* () {
      const rep = yield* Reputation
      for (let i = 0; i < 1000; i++) yield* rep.rate({ subject: "x", rater: "spammer", outcome: 0 })
      const { score, weight } = yield* rep.standing("x")
      assert.strictEqual(weight, 3)
      assert.closeTo(score, (0.5 * 2) / 5, 1e-12)
    }).pipe(Effect.provide(layer))
  )

  it.effect("weights halve every half-life, so the score returns to the prior", () =>
    Effect.gen(function* () {
      const rep = yield* Reputation
      yield* rep.rate({ subject: "x", rater: "a", outcome: 1 })
      yield* TestClock.adjust("1 second")
      assert.closeTo((yield* rep.standing("x")).weight, 0.5, 1e-12)
      yield* TestClock.adjust("60 seconds")
      assert.closeTo((yield* rep.standing("x")).score, 0.5, 1e-9)
    }).pipe(Effect.provide(layer))
  )

  it.effect("self-ratings and out-of-range outcomes are rejected", () =>
    Effect.gen(function* () {
      const rep = yield* Reputation
      assert.instanceOf(yield* Effect.flip(rep.rate({ subject: "x", rater: "x", outcome: 1 })), SelfRating)
      assert.instanceOf(yield* Effect.flip(rep.rate({ subject: "x", rater: "a", outcome: 2 })), InvalidInput)
      assert.strictEqual((yield* rep.standing("x")).weight, 0)
    }).pipe(Effect.provide(layer))
  )

  it.effect("past maxRaters, the weakest rater is forgotten", () =>
    Effect.gen(function* () {
      const rep = yield* Reputation
      yield* rep.rate({ subject: "x", rater: "old", outcome: 0 })
      yield* TestClock.adjust("5 seconds")
      yield* rep.rate({ subject: "x", rater: "a", outcome: 1 })
      yield* rep.rate({ subject: "x", rater: "b", outcome: 1 })
      assert.closeTo((yield* rep.standing("x")).weight, 2, 1e-12)
    }).pipe(Effect.provide(Reputation.layerWith({ halfLife: 1000, maxRaters: 2 })))
  )

  it.effect("past maxSubjects, the subjects with the least evidence are forgotten, not the heavy record", () =>
    Effect.gen(function* () {
      const rep = yield* Reputation
      for (const rater of ["r1", "r2", "r3"]) yield* rep.rate({ subject: "cheat", rater, outcome: 0 })
      const cheat = yield* rep.standing("cheat")
      for (let i = 0; i < 25; i++) yield* rep.rate({ subject: `sybil-${i}`, rater: "r1", outcome: 1 })
      assert.deepStrictEqual(yield* rep.standing("cheat"), cheat)
      // Ten subjects at most: each overflow forgot the weakest (one at a time at this size), oldest first.
      assert.strictEqual((yield* rep.standing("sybil-0")).weight, 0)
      assert.strictEqual((yield* rep.standing("sybil-24")).weight, 1)
    }).pipe(Effect.provide(Reputation.layerWith({ halfLife: 1_000_000, maxSubjects: 10 })))
  )
})

const BudgetsLive = Budgets.layer.pipe(Layer.provideMerge(Ledger.layer))
const setup = Effect.gen(function* () {
  const ledger = yield* Ledger
  for (const name of ["team", "vendor"]) yield* ledger.open(name)
  yield* ledger.mint({ account: "team", amount: 1000n })
  const budgets = yield* Budgets
  yield* budgets.create({ id: "team", account: "team", limit: 500n, period: 60_000 })
  yield* budgets.create({ id: "agent-1", account: "team", limit: 300n, parent: "team" })
  yield* budgets.create({ id: "agent-2", account: "team", limit: 300n, parent: "team" })
  return { ledger, budgets }
})

describe("Budgets", () => {
  it.effect("spends count against the agent's budget and its team's", () =>
    Effect.gen(function* () {
      const { budgets, ledger } = yield* setup
      yield* budgets.spend({ budget: "agent-1", to: "vendor", amount: 250n })
      assert.strictEqual(yield* budgets.remaining("agent-1"), 50n)
      assert.strictEqual(yield* budgets.remaining("team"), 250n)
      const over = yield* Effect.flip(budgets.spend({ budget: "agent-1", to: "vendor", amount: 60n }))
      assert.instanceOf(over, BudgetExceeded)
      assert.strictEqual(over.message, `budget "agent-1" has 50 left, needs 60`)
      const team = yield* Effect.flip(budgets.spend({ budget: "agent-2", to: "vendor", amount: 260n }))
      assert.isTrue(team instanceof BudgetExceeded && team.budget === "team")
      assert.strictEqual((yield* ledger.balance("vendor")).available, 250n)
    }).pipe(Effect.provide(BudgetsLive))
  )

  it.effect("a periodic budget refills after its period; a replayed key is not counted twice", () =>
    Effect.gen(function* () {
      const { budgets } = yield* setup
      yield* budgets.spend({ budget: "team", to: "vendor", amount: 500n, key: "k" })
      yield* budgets.spend({ budget: "team", to: "vendor", amount: 500n, key: "k" })
      assert.strictEqual(yield* budgets.remaining("team"), 0n)
      yield* TestClock.adjust("60 seconds")
      assert.strictEqual(yield* budgets.remaining("team"), 500n)
      const poor = yield* Effect.flip(budgets.spend({ budget: "team", to: "vendor", amount: 500n + 1n }))
      assert.instanceOf(poor, BudgetExceeded)
    }).pipe(Effect.provide(BudgetsLive))
  )

  it.effect("a spend the ledger refuses is not counted", () =>
    Effect.gen(function* () {
      const { budgets, ledger } = yield* setup
      yield* ledger.burn({ account: "team", amount: 950n })
      assert.instanceOf(
        yield* Effect.flip(budgets.spend({ budget: "agent-1", to: "vendor", amount: 100n })),
        InsufficientFunds
      )
      assert.strictEqual(yield* budgets.remaining("agent-1"), 300n)
      assert.instanceOf(yield* Effect.flip(budgets.spend({ budget: "nope", to: "vendor", amount: 1n })), UnknownBudget)
      assert.instanceOf(
        yield* Effect.flip(budgets.create({ id: "x", account: "team", limit: 1n, parent: "nope" })),
        UnknownBudget
      )
      assert.strictEqual(
        (yield* Effect.flip(budgets.create({ id: "team", account: "team", limit: 1n })))._tag,
        "BudgetExists"
      )
      assert.instanceOf(yield* Effect.flip(budgets.create({ id: "y", account: "team", limit: 0n })), InvalidInput)
    }).pipe(Effect.provide(BudgetsLive))
  )

  it.effect("past maxBudgets, create is refused and the existing budgets keep their limits", () =>
    Effect.gen(function* () {
      const { budgets } = yield* setup
      const full = yield* Effect.flip(budgets.create({ id: "agent-3", account: "team", limit: 1n }))
      assert.instanceOf(full, TooManyBudgets)
      assert.strictEqual(full.message, `cannot create budget "agent-3": 3 budgets already exist`)
      assert.instanceOf(yield* Effect.flip(budgets.remaining("agent-3")), UnknownBudget)
      assert.strictEqual(yield* budgets.remaining("agent-1"), 300n)
    }).pipe(Effect.provide(Budgets.layerWith({ maxBudgets: 3 }).pipe(Layer.provideMerge(Ledger.layer))))
  )
})
