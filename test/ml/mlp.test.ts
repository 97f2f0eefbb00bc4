import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, Random } from "effect"
import { TestClock } from "effect/testing"
import {
  evaluate,
  type Hyperparameters,
  mlpSpace,
  objective,
  spirals,
  toHyperparameters,
  train,
  trainAndEvaluate
} from "../../apps/ml/index.ts"
import { InvalidAssignment, Orchestrator, SingleOwner, Tpe } from "../../src/variables/index.ts"

const good: Hyperparameters = { learningRate: 0.3, l2: 1e-4, hidden: 16, epochs: 30, batchSize: 16, activation: "tanh" }

describe("the MLP", () => {
  it.effect("training beats chance by far with good hyperparameters", () =>
    Effect.gen(function* () {
      const untrained = yield* trainAndEvaluate({ ...good, learningRate: 1e-9, epochs: 1 }).pipe(Random.withSeed(1))
      const trained = yield* trainAndEvaluate(good).pipe(Random.withSeed(1))
      assert.isBelow(untrained.accuracy, 0.7)
      assert.isAtLeast(trained.accuracy, 0.85)
      assert.isBelow(trained.logLoss, untrained.logLoss)
    })
  )

  it.effect("hyperparameters change the validation score", () =>
    Effect.gen(function* () {
      const score = (hp: Hyperparameters) =>
        Effect.map(trainAndEvaluate(hp), (r) => r.accuracy).pipe(Random.withSeed(1))
      const base = yield* score(good)
      assert.isAbove(base - (yield* score({ ...good, learningRate: 1e-3 })), 0.15, "learning rate")
      assert.isAbove(base - (yield* score({ ...good, activation: "sigmoid" })), 0.1, "activation")
      assert.isAbove(base - (yield* score({ ...good, hidden: 2 })), 0.1, "hidden units")
      assert.isAbove(base - (yield* score({ ...good, l2: 0.1 })), 0.1, "L2")
      assert.isAbove(base - (yield* score({ ...good, epochs: 5 })), 0.05, "epochs")
    })
  )

  it.effect("training is deterministic for a seed and differs across seeds", () =>
    Effect.gen(function* () {
      const { train: data } = spirals()
      const a = yield* train(data, good).pipe(Random.withSeed(7))
      const b = yield* train(data, good).pipe(Random.withSeed(7))
      const c = yield* train(data, good).pipe(Random.withSeed(8))
      assert.deepStrictEqual(a, b)
      assert.notDeepEqual(a.w1, c.w1)
    })
  )

  it.effect("a diverging learning rate completes and scores poorly, not NaN", () =>
    Effect.gen(function* () {
      const result = yield* trainAndEvaluate({ ...good, learningRate: 50, l2: 0 }).pipe(Random.withSeed(1))
      assert.isTrue(Number.isFinite(result.accuracy) && Number.isFinite(result.logLoss))
      assert.isBelow(result.accuracy, 0.8)
    })
  )

  it.effect("onEpoch runs once per epoch and training can be interrupted between epochs", () =>
    Effect.gen(function* () {
      const seen: Array<number> = []
      const fiber = yield* Effect.forkChild(
        train(spirals().train, good, {
          onEpoch: (epoch) => Effect.sync(() => seen.push(epoch)).pipe(Effect.andThen(Effect.sleep("1 second")))
        }).pipe(Random.withSeed(1))
      )
      yield* TestClock.adjust("3500 millis")
      const exit = yield* Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
      assert.isTrue(Exit.hasInterrupts(exit))
      assert.deepStrictEqual(seen, [1, 2, 3, 4])
    })
  )

  it.effect("assignments are checked against the space", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(toHyperparameters({ ...good, activation: "gelu" }))
      assert.instanceOf(error, InvalidAssignment)
      assert.strictEqual(error.variable, "activation")
      assert.deepStrictEqual(yield* toHyperparameters({ ...good }), good)
    })
  )

  it.effect("an orchestrated TPE study finds a good model in 20 trainings", () =>
    Effect.gen(function* () {
      const orchestrator = yield* Orchestrator
      yield* orchestrator.define("mlp", { space: mlpSpace, goal: "maximize", policy: SingleOwner.make("coordinator") })
      for (let i = 0; i < 20; i++) {
        const proposal = yield* orchestrator.propose("mlp", Tpe.make({ startup: 8 }), "strategist")
        const score = yield* objective(proposal.assignment).pipe(Random.withSeed(`trial-${proposal.id}`))
        yield* orchestrator.observe("mlp", {
          assignment: proposal.assignment,
          score,
          reporter: "coordinator",
          proposal: proposal.id
        })
      }
      const best = Option.getOrThrow(yield* orchestrator.best("mlp"))
      assert.isAtLeast(best.score, 0.85)
      const model = yield* train(spirals().train, yield* toHyperparameters(best.assignment)).pipe(
        Random.withSeed(`trial-${best.proposal}`)
      )
      assert.strictEqual(
        evaluate(model, spirals().validation).accuracy,
        best.score,
        "the best is reproducible from its seed"
      )
    }).pipe(Effect.provide(Orchestrator.layer), Random.withSeed("study"))
  )

  it.effect("a training killed mid-run and re-run from its trial seed gives the uninterrupted result", () =>
    Effect.gen(function* () {
      const slow = trainAndEvaluate(good, { onEpoch: () => Effect.sleep("100 millis") }).pipe(
        Random.withSeed("trial-7")
      )
      const killed = yield* Effect.forkChild(slow)
      yield* TestClock.adjust("1 second")
      yield* Fiber.interrupt(killed)
      const retry = yield* Effect.forkChild(slow)
      yield* TestClock.adjust("3 seconds")
      const retried = yield* Fiber.join(retry)
      const uninterrupted = yield* trainAndEvaluate(good).pipe(Random.withSeed("trial-7"))
      assert.deepStrictEqual(retried, uninterrupted)
    })
  )
})
