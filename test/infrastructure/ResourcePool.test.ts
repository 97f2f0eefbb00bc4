import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Ref } from "effect"
import { TestClock } from "effect/testing"
import { makeResourcePool } from "../../src/infrastructure/index.ts"

const counterPool = (size: number) =>
  Effect.gen(function* () {
    const made = yield* Ref.make(0)
    const released = yield* Ref.make(0)
    const pool = yield* makeResourcePool({
      name: "conns",
      size,
      acquireTimeoutMillis: 1_000,
      acquire: Effect.acquireRelease(
        Ref.updateAndGet(made, (n) => n + 1),
        () => Ref.update(released, (n) => n + 1)
      )
    })
    return { pool, made, released }
  })

describe("ResourcePool", () => {
  it.effect("use borrows a resource and returns it", () =>
    Effect.gen(function* () {
      const { pool } = yield* counterPool(2)
      const a = yield* pool.use((r) => Effect.succeed(r))
      const b = yield* pool.use((r) => Effect.succeed(r))
      assert.include([1, 2], a)
      assert.include([1, 2], b)
      assert.strictEqual((yield* pool.stats).used, 0)
    })
  )

  it.effect("when every resource is busy a caller fails with PoolTimeout after the acquire timeout", () =>
    Effect.gen(function* () {
      const { pool } = yield* counterPool(1)
      const held = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(
        pool.use(() => Deferred.succeed(held, undefined).pipe(Effect.andThen(Deferred.await(release))))
      )
      yield* Deferred.await(held)
      const waiter = yield* Effect.forkChild(Effect.flip(pool.use(Effect.succeed)))
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(waiter)
      assert.deepInclude(error, { _tag: "PoolTimeout", pool: "conns", timeoutMillis: 1_000 })
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(holder)
      assert.strictEqual(yield* pool.use(Effect.succeed), 1)
    })
  )

  it.effect("an invalidated resource is released and replaced", () =>
    Effect.gen(function* () {
      const { pool, released } = yield* counterPool(1)
      yield* pool.use((r) => pool.invalidate(r))
      const next = yield* pool.use(Effect.succeed)
      assert.strictEqual(next, 2)
      assert.strictEqual(yield* Ref.get(released), 1)
    })
  )

  it.effect("an acquire failure reaches the caller typed", () =>
    Effect.gen(function* () {
      const pool = yield* makeResourcePool({
        name: "bad",
        size: 1,
        acquireTimeoutMillis: 100,
        acquire: Effect.fail("refused" as const)
      })
      assert.strictEqual(yield* Effect.flip(pool.use(Effect.succeed)), "refused")
    })
  )

  it.effect("bad options fail with InvalidInput", () =>
    Effect.gen(function* () {
      for (const [name, size, acquireTimeoutMillis] of [
        ["", 1, 1],
        ["p", 0, 1],
        ["p", 1, 0],
        ["p", 1.5, 1]
      ] as const) {
        const error = yield* Effect.flip(
          makeResourcePool({ name, size, acquireTimeoutMillis, acquire: Effect.succeed(1) })
        )
        assert.deepInclude(error, { _tag: "InvalidInput", where: "ResourcePool.make" })
      }
    })
  )
})
