import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, type Scope, Result, Schema } from "effect"
import { TestClock } from "effect/testing"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { Ensemble } from "../../src/coordination/index.ts"

const Predict = Agent.request("Predict", {}, Schema.Number)
/** A predictor agent answering `value` after `delay` ms. */
const predictor = (value: number, delay: number) =>
  Agent.make({
    name: "predictor",
    messages: Schema.Union([Predict]),
    initial: () => value,
    handle: (v: number, msg, ctx) =>
      Effect.sleep(delay).pipe(
        Effect.andThen(
          Effect.sync(() => {
            ctx.reply(msg, v)
            return v
          })
        )
      )
  })
const answer = <A>(name: string, value: A, weight = 1): Ensemble.Answer<A> => ({ name, weight, value })
const withSystem = <A, E>(effect: Effect.Effect<A, E, AgentSystem | Scope.Scope>) =>
  effect.pipe(Effect.provide(AgentSystem.layer))

describe("Ensemble combiners", () => {
  it("majority vote by weight, mean by weight, median robust to an outlier", () => {
    assert.deepStrictEqual(
      Ensemble.majorityOf([answer("a", "cat"), answer("b", "dog"), answer("c", "cat")]),
      Result.succeed("cat")
    )
    assert.deepStrictEqual(Ensemble.majorityOf([answer("a", "cat"), answer("b", "dog", 3)]), Result.succeed("dog"))
    assert.isTrue(Result.isFailure(Ensemble.majorityOf([answer("a", "cat"), answer("b", "dog")])))
    assert.strictEqual(Ensemble.weightedMean([answer("a", 1), answer("b", 4, 3)]), 13 / 4)
    assert.strictEqual(Ensemble.median([answer("a", 1), answer("b", 2), answer("c", 1_000)]), 2)
    assert.strictEqual(Ensemble.median([answer("a", 1), answer("b", 3)]), 2)
  })
})

describe("Ensembles of agents", () => {
  it.effect("combines the members that answered in time, leaving out the slow and the failed", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const refs = yield* Effect.forEach(
          [
            [1, 10],
            [2, 20],
            [3, 30],
            [100, 500]
          ] as const,
          ([v, d]) => system.spawn(predictor(v, d))
        )
        const members: Array<Ensemble.Member<number>> = refs.map((r) => ({ name: r.id, ask: r.ask(Predict.make({})) }))
        members.push({ name: "broken", ask: Effect.fail("model not loaded") })
        const fiber = yield* Effect.forkChild(Ensemble.collect(members, { timeout: 100 }))
        yield* TestClock.adjust(100)
        const collected = yield* Fiber.join(fiber)
        assert.deepStrictEqual(
          collected.answers.map((a) => a.value),
          [1, 2, 3]
        )
        assert.deepStrictEqual(collected.failed, ["broken"])
        assert.strictEqual(collected.late.length, 1)
        const median = yield* Effect.forkChild(Ensemble.medianOf(members, { timeout: 100 }))
        yield* TestClock.adjust(100)
        assert.strictEqual(yield* Fiber.join(median), 2)
        yield* TestClock.adjust(1_000)
      })
    )
  )

  it.effect("fails with EnsembleShort when too few answered, InvalidInput on bad options", () =>
    Effect.gen(function* () {
      const members = [
        { name: "a", ask: Effect.succeed("x") },
        { name: "b", ask: Effect.never },
        { name: "c", ask: Effect.fail("down") }
      ]
      const fiber = yield* Effect.forkChild(Effect.flip(Ensemble.vote(members, { timeout: 50 })))
      yield* TestClock.adjust(50)
      const short = yield* Fiber.join(fiber)
      assert.strictEqual(short.message, "ensemble: 1 answers, 2 required (failed: c; late: b)")
      const bad = yield* Effect.flip(Ensemble.vote(members, { timeout: 0 }))
      assert.strictEqual(bad._tag, "InvalidInput")
      const none = yield* Effect.flip(Ensemble.vote([], { timeout: 10 }))
      assert.strictEqual(none._tag, "InvalidInput")
    })
  )

  it.effect("a tied vote is NoMajority", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Ensemble.vote(
          [
            { name: "a", ask: Effect.succeed("x") },
            { name: "b", ask: Effect.succeed("y") }
          ],
          { timeout: 10 }
        )
      )
      assert.strictEqual(error._tag, "NoMajority")
    })
  )
})
