import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Ref, Schema } from "effect"
import { TestClock } from "effect/testing"
import { MabeamConfig } from "../../src/config/index.ts"
import { RateLimiter } from "../../src/infrastructure/index.ts"
import * as Bucket from "../../src/infrastructure/internal/tokenBucket.ts"

const layer = RateLimiter.layerWith({ capacity: 3, refillPerSecond: 2 })

describe("RateLimiter", () => {
  it.effect("admits up to capacity, then fails with RateLimited carrying retry-after", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter
      for (let i = 0; i < 3; i++) yield* limiter.take("k")
      const error = yield* Effect.flip(limiter.take("k"))
      assert.deepInclude(error, { _tag: "RateLimited", key: "k", cost: 1, available: 0, retryAfterMillis: 500 })
      assert.include(error.message, "retry after 500 ms")
    }).pipe(Effect.provide(layer))
  )

  it.effect("after retry-after has passed on the clock the call is admitted", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter
      yield* limiter.take("k", 3)
      const error = yield* Effect.flip(limiter.take("k", 2))
      assert.strictEqual(error._tag === "RateLimited" && error.retryAfterMillis, 1_000)
      yield* TestClock.adjust("999 millis")
      assert.strictEqual((yield* Effect.flip(limiter.take("k", 2)))._tag, "RateLimited")
      yield* TestClock.adjust("1 millis")
      yield* limiter.take("k", 2)
    }).pipe(Effect.provide(layer))
  )

  it.effect("status reports the tokens without spending them; reset refills", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter
      assert.deepStrictEqual(yield* limiter.status("k"), { key: "k", available: 3, capacity: 3, refillPerSecond: 2 })
      yield* limiter.take("k", 2)
      assert.strictEqual((yield* limiter.status("k")).available, 1)
      assert.strictEqual((yield* limiter.status("k")).available, 1)
      yield* TestClock.adjust("500 millis")
      assert.strictEqual((yield* limiter.status("k")).available, 2)
      yield* limiter.reset("k")
      assert.strictEqual((yield* limiter.status("k")).available, 3)
      yield* limiter.take("k", 3)
    }).pipe(Effect.provide(layer))
  )

  it.effect("keys are independent", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter
      yield* limiter.take("a", 3)
      yield* limiter.take("b", 3)
      assert.strictEqual(yield* limiter.size, 2)
    }).pipe(Effect.provide(layer))
  )

  it.effect("limit runs the effect only when admitted", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter
      const runs = yield* Ref.make(0)
      yield* limiter.limit("k", 3)(Ref.update(runs, (n) => n + 1))
      const error = yield* Effect.flip(limiter.limit("k")(Ref.update(runs, (n) => n + 1)))
      assert.strictEqual(error._tag, "RateLimited")
      assert.strictEqual(yield* Ref.get(runs), 1)
    }).pipe(Effect.provide(layer))
  )

  it.effect("bad input fails with InvalidInput and spends nothing", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter
      for (const [key, cost] of [
        ["", 1],
        ["k", 0],
        ["k", 1.5],
        ["k", -1],
        ["k", 4]
      ] as const) {
        const error = yield* Effect.flip(limiter.take(key, cost))
        assert.deepInclude(error, { _tag: "InvalidInput", where: "RateLimiter.take" })
      }
      assert.strictEqual((yield* limiter.status("k")).available, 3)
      assert.strictEqual((yield* Effect.flip(limiter.status(""))).where, "RateLimiter.status")
      assert.strictEqual((yield* Effect.flip(limiter.reset(""))).where, "RateLimiter.reset")
      const bad = yield* Effect.flip(Layer.build(RateLimiter.layerWith({ capacity: 0, refillPerSecond: 1 })))
      assert.strictEqual(bad.where, "RateLimiter.layerWith")
    }).pipe(Effect.provide(layer))
  )

  it.effect("the config-driven limiter follows runtime updates of the limiter settings", () =>
    Effect.gen(function* () {
      const config = yield* MabeamConfig
      const limiter = yield* RateLimiter
      assert.strictEqual((yield* limiter.status("k")).capacity, 100)
      yield* config.update({ limiter: { capacity: 1, refillPerSecond: 1 } })
      yield* limiter.take("k")
      assert.strictEqual((yield* Effect.flip(limiter.take("k")))._tag, "RateLimited")
    }).pipe(Effect.provide(RateLimiter.layer.pipe(Layer.provideMerge(MabeamConfig.layerWith({ env: {} })))))
  )

  it.prop(
    "a bucket never admits more than capacity + rate·t over any schedule",
    [
      Schema.Array(
        Schema.Struct({
          delay: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 2_000 })),
          cost: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 5 }))
        })
      ),
      Schema.Int.check(Schema.isBetween({ minimum: 5, maximum: 50 })),
      Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100 }))
    ],
    ([steps, capacity, refillPerSecond]) => {
      const policy = { capacity, refillPerSecond }
      let bucket: Bucket.Bucket | undefined
      let now = 0
      let admitted = 0
      for (const { cost, delay } of steps) {
        now += delay
        const result = Bucket.take(bucket, now, cost, policy)
        bucket = result.bucket
        if (result._tag === "Admitted") admitted += cost
        assert.isAtMost(admitted, capacity + (refillPerSecond * now) / 1000 + 1e-9)
      }
    }
  )

  it.prop(
    "waiting retry-after always makes the same take succeed",
    [
      Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10 })),
      Schema.Finite.check(Schema.isBetween({ minimum: 0.1, maximum: 1_000 }))
    ],
    ([cost, refillPerSecond]) => {
      const policy = { capacity: 10, refillPerSecond }
      const drained = Bucket.take(undefined, 0, 10, policy).bucket
      const limited = Bucket.take(drained, 0, cost, policy)
      assert.strictEqual(limited._tag, "Limited")
      if (limited._tag === "Limited") {
        assert.strictEqual(Bucket.take(limited.bucket, limited.retryAfterMillis, cost, policy)._tag, "Admitted")
      }
    }
  )
})
