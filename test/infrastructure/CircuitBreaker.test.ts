import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Ref, Schema, Stream } from "effect"
import { TestClock } from "effect/testing"
import { MabeamConfig } from "../../src/config/index.ts"
import { type BreakerPolicy, CircuitBreakers } from "../../src/infrastructure/index.ts"
import * as Machine from "../../src/infrastructure/internal/breakerMachine.ts"

const policy: BreakerPolicy = {
  failureThreshold: 3,
  failureRate: 1,
  windowSize: 10,
  resetTimeoutMillis: 1_000,
  halfOpenTrials: 1
}
const layer = CircuitBreakers.layerWith(policy)
const boom = Effect.fail("boom" as const)

const failTimes = (n: number, name = "api") =>
  Effect.gen(function* () {
    const breakers = yield* CircuitBreakers
    for (let i = 0; i < n; i++) yield* Effect.flip(breakers.protect(name)(boom))
  })

describe("CircuitBreaker", () => {
  it.effect("opens after the consecutive-failure threshold and then rejects without running the call", () =>
    Effect.gen(function* () {
      const breakers = yield* CircuitBreakers
      const breaker = yield* breakers.get("api")
      yield* failTimes(2)
      assert.strictEqual(yield* breaker.state, "Closed")
      yield* failTimes(1)
      assert.strictEqual(yield* breaker.state, "Open")
      const ran = yield* Ref.make(false)
      yield* TestClock.adjust("400 millis")
      const error = yield* Effect.flip(breaker.protect(Ref.set(ran, true)))
      assert.strictEqual(error._tag, "CircuitOpen")
      assert.deepInclude(error, { breaker: "api", state: "Open", retryAfterMillis: 600 })
      assert.include(error.message, '"api"')
      assert.isFalse(yield* Ref.get(ran))
    }).pipe(Effect.provide(layer))
  )

  it.effect("a success resets the consecutive count", () =>
    Effect.gen(function* () {
      const breaker = yield* (yield* CircuitBreakers).get("api")
      yield* failTimes(2)
      yield* breaker.protect(Effect.void)
      yield* failTimes(2)
      assert.strictEqual(yield* breaker.state, "Closed")
    }).pipe(Effect.provide(layer))
  )

  it.effect("after the reset timeout a successful trial call closes it", () =>
    Effect.gen(function* () {
      const breaker = yield* (yield* CircuitBreakers).get("api")
      yield* failTimes(3)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* breaker.protect(Effect.succeed(42)), 42)
      assert.strictEqual(yield* breaker.state, "Closed")
    }).pipe(Effect.provide(layer))
  )

  it.effect("a failed trial call re-opens it for another full timeout", () =>
    Effect.gen(function* () {
      const breaker = yield* (yield* CircuitBreakers).get("api")
      yield* failTimes(3)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Effect.flip(breaker.protect(boom)), "boom")
      assert.strictEqual(yield* breaker.state, "Open")
      const error = yield* Effect.flip(breaker.protect(Effect.void))
      assert.strictEqual(error._tag === "CircuitOpen" && error.retryAfterMillis, 1_000)
    }).pipe(Effect.provide(layer))
  )

  it.effect("half-open admits only halfOpenTrials calls at once", () =>
    Effect.gen(function* () {
      const breaker = yield* (yield* CircuitBreakers).get("api")
      yield* failTimes(3)
      yield* TestClock.adjust("1 second")
      const started = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const trial = yield* Effect.forkChild(
        breaker.protect(Deferred.succeed(started, undefined).pipe(Effect.andThen(Deferred.await(release))))
      )
      yield* Deferred.await(started)
      assert.strictEqual(yield* breaker.state, "HalfOpen")
      const error = yield* Effect.flip(breaker.protect(Effect.void))
      assert.deepInclude(error, { _tag: "CircuitOpen", state: "HalfOpen" })
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(trial)
      assert.strictEqual(yield* breaker.state, "Closed")
    }).pipe(Effect.provide(layer))
  )

  it.effect("an interrupted trial frees its slot and counts as neither success nor failure", () =>
    Effect.gen(function* () {
      const breaker = yield* (yield* CircuitBreakers).get("api")
      yield* failTimes(3)
      yield* TestClock.adjust("1 second")
      const started = yield* Deferred.make<void>()
      const trial = yield* Effect.forkChild(
        breaker.protect(Deferred.succeed(started, undefined).pipe(Effect.andThen(Effect.never)))
      )
      yield* Deferred.await(started)
      yield* Fiber.interrupt(trial)
      assert.strictEqual(yield* breaker.state, "HalfOpen")
      yield* breaker.protect(Effect.void)
      assert.strictEqual(yield* breaker.state, "Closed")
    }).pipe(Effect.provide(layer))
  )

  it.effect("defects count as failures", () =>
    Effect.gen(function* () {
      const breaker = yield* (yield* CircuitBreakers).get("api")
      for (let i = 0; i < 3; i++) yield* Effect.exit(breaker.protect(Effect.die("kaput")))
      assert.strictEqual(yield* breaker.state, "Open")
    }).pipe(Effect.provide(layer))
  )

  it.effect("the failure-rate rule opens on a full window at or above the rate", () =>
    Effect.gen(function* () {
      const breaker = yield* (yield* CircuitBreakers).get("rated")
      for (const fail of [false, true, false]) yield* Effect.exit(breaker.protect(fail ? boom : Effect.void))
      assert.strictEqual(yield* breaker.state, "Closed")
      yield* Effect.exit(breaker.protect(boom))
      assert.strictEqual(yield* breaker.state, "Open")
    }).pipe(
      Effect.provide(CircuitBreakers.layerWith({ ...policy, failureThreshold: 100, failureRate: 0.5, windowSize: 4 }))
    )
  )

  it.effect("state changes are published in order: Closed → Open → HalfOpen → Closed", () =>
    Effect.gen(function* () {
      const breakers = yield* CircuitBreakers
      const breaker = yield* breakers.get("api")
      const collected = yield* breakers.changes.pipe(Stream.take(3), Stream.runCollect, Effect.forkChild)
      yield* Effect.yieldNow
      yield* failTimes(3)
      yield* TestClock.adjust("1 second")
      yield* breaker.protect(Effect.void)
      const changes = yield* Fiber.join(collected)
      assert.deepStrictEqual(
        changes.map((c) => `${c.breaker}:${c.from}->${c.to}@${c.at}`),
        ["api:Closed->Open@0", "api:Open->HalfOpen@1000", "api:HalfOpen->Closed@1000"]
      )
    }).pipe(Effect.provide(layer))
  )

  it.effect("trip and reset force the state", () =>
    Effect.gen(function* () {
      const breaker = yield* (yield* CircuitBreakers).get("api")
      yield* breaker.trip
      assert.strictEqual(yield* breaker.state, "Open")
      yield* breaker.reset
      assert.strictEqual(yield* breaker.protect(Effect.succeed(1)), 1)
    }).pipe(Effect.provide(layer))
  )

  it.effect("the registry returns one breaker per name and lists their states", () =>
    Effect.gen(function* () {
      const breakers = yield* CircuitBreakers
      assert.strictEqual(yield* breakers.get("a"), yield* breakers.get("a"))
      yield* failTimes(3, "b")
      assert.deepStrictEqual(
        [...(yield* breakers.states)],
        [
          ["a", "Closed"],
          ["b", "Open"]
        ]
      )
    }).pipe(Effect.provide(layer))
  )

  it.effect("a bad name or a bad policy fails with InvalidInput", () =>
    Effect.gen(function* () {
      const breakers = yield* CircuitBreakers
      const error = yield* Effect.flip(breakers.get(""))
      assert.deepInclude(error, { _tag: "InvalidInput", where: "CircuitBreakers.get" })
      assert.deepStrictEqual([...(yield* breakers.states)], [])
      const bad = yield* Effect.flip(Layer.build(CircuitBreakers.layerWith({ ...policy, failureRate: 0 })))
      assert.deepInclude(bad, { _tag: "InvalidInput", where: "CircuitBreakers.layerWith" })
    }).pipe(Effect.provide(layer))
  )

  it.effect("the config-driven layer follows runtime updates of the breaker settings", () =>
    Effect.gen(function* () {
      const config = yield* MabeamConfig
      const breaker = yield* (yield* CircuitBreakers).get("api")
      yield* config.update({ breaker: { failureThreshold: 1 } })
      yield* Effect.flip(breaker.protect(boom))
      assert.strictEqual(yield* breaker.state, "Open")
    }).pipe(Effect.provide(CircuitBreakers.layer.pipe(Layer.provideMerge(MabeamConfig.layerWith({ env: {} })))))
  )

  it.prop(
    "with failureRate 1 the machine opens exactly when `failureThreshold` failures occur in a row",
    [Schema.Array(Schema.Boolean), Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 5 }))],
    ([outcomes, threshold]) => {
      const p = { ...policy, failureThreshold: threshold }
      let state: Machine.MachineState = Machine.initial
      let run = 0
      let expectOpen = false
      for (const failed of outcomes) {
        if (state._tag !== "Closed") break
        run = failed ? run + 1 : 0
        expectOpen = run >= threshold
        state = Machine.record(state, state.generation, failed ? "Failure" : "Success", 0, p)
        assert.strictEqual(state._tag === "Open", expectOpen)
      }
    }
  )
})
