/**
 * `Coordination.lock` releases and waits: a Raft-replicated release reaches the leader and frees
 * the lock at once (never waiting for the TTL), waiting is event-driven (no retry-interval
 * polling), and re-acquiring a lock the fiber already holds fails at once. Simulated time only.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Layer, Random, Scope } from "effect"
import { TestClock } from "effect/testing"
import { Coordination, type CoordinationOptions } from "../../src/coordination/index.ts"
import { Transport } from "../../src/transport/index.ts"

const withOptions = (options: CoordinationOptions) =>
  Coordination.layerWith(options).pipe(Layer.provide(Transport.layerLocal()))

/** Runs `body` in a fiber and advances the test clock in `step` ms ticks until it is done. */
const drive = <A, E, R>(body: Effect.Effect<A, E, R>, step = 5, limit = 120_000) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(body)
    for (let t = 0; t < limit && fiber.pollUnsafe() === undefined; t += step) yield* TestClock.adjust(step)
    return yield* Fiber.join(fiber)
  })

describe("Coordination.lock: releases and waiting", () => {
  for (const mode of ["raft", "owner"] as const) {
    it.effect(`${mode}: re-acquiring a lock this fiber holds fails at once with LockAlreadyHeld`, () =>
      Effect.gen(function* () {
        const c = yield* Coordination
        // One fiber takes the lock, then asks for it again (drive runs it and moves the clock).
        const { again, before, after, lease } = yield* drive(
          Effect.gen(function* () {
            const lease = yield* c.lock("db", { ttl: 10_000 })
            const before = yield* Clock.currentTimeMillis
            const again = yield* Effect.flip(c.lock("db", { ttl: 10_000, timeout: 5_000 }))
            return { again, before, after: yield* Clock.currentTimeMillis, lease }
          })
        )
        assert.strictEqual(after, before, "no waiting")
        assert.strictEqual(again._tag, "LockAlreadyHeld")
        if (again._tag !== "LockAlreadyHeld") return
        assert.strictEqual(again.token, lease.token)
        assert.strictEqual(
          again.message,
          `lock "db" is already held by this fiber (token ${lease.token}, lease until ${lease.until}); ` +
            `locks are not re-entrant: use the lease you hold, or close its scope before acquiring again`
        )
        // Another fiber waits for it as usual; another lock name is free.
        const other = yield* Effect.flip(drive(Effect.scoped(c.lock("db", { ttl: 10, timeout: 100 }))))
        assert.strictEqual(other._tag, "CoordinationTimeout")
        yield* Effect.scoped(drive(c.lock("other", { ttl: 10 })))
      }).pipe(Effect.provide(withOptions({ lock: mode })), Random.withSeed(4))
    )
  }

  it.effect(
    "raft: 40 rounds of release then acquire by another holder: every release frees the lock long before its TTL",
    () =>
      Effect.gen(function* () {
        const c = yield* Coordination
        const ttl = 60_000
        let lastToken = 0
        for (let round = 0; round < 40; round++) {
          const scope = yield* Scope.make()
          const lease = yield* drive(Scope.provide(c.lock("q", { ttl, timeout: 5_000 }), scope))
          assert.isAbove(lease.token, lastToken)
          lastToken = lease.token
          const waiter = yield* Effect.forkChild(
            Effect.scoped(
              Effect.gen(function* () {
                const next = yield* c.lock("q", { ttl, timeout: 30_000 })
                return { token: next.token, at: yield* Clock.currentTimeMillis }
              })
            )
          )
          yield* TestClock.adjust(20)
          const released = yield* Clock.currentTimeMillis
          yield* Effect.forkChild(Scope.close(scope, Exit.void))
          let t = 0
          while (waiter.pollUnsafe() === undefined && t < ttl) {
            yield* TestClock.adjust(5)
            t += 5
          }
          const next = yield* Fiber.join(waiter)
          assert.isAbove(next.token, lease.token)
          // Fault-free: a release commits within a few heartbeats, never the 60 s TTL.
          assert.isBelow(next.at - released, 1_000, `round ${round}: the waiter waited ${next.at - released} ms`)
          lastToken = next.token
        }
      }).pipe(Effect.provide(withOptions({ lock: "raft", timeout: 5_000, retry: 1 })), Random.withSeed(7))
  )

  it.effect("owner: a waiter wakes when the holder releases, not at its next poll (retry 5 s)", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const scope = yield* Scope.make()
      yield* Scope.provide(c.lock("p", { ttl: 60_000 }), scope)
      const waiter = yield* Effect.forkChild(
        Effect.scoped(
          Effect.gen(function* () {
            yield* c.lock("p", { ttl: 1_000, timeout: 30_000 })
            return yield* Clock.currentTimeMillis
          })
        )
      )
      yield* TestClock.adjust(100)
      assert.isUndefined(waiter.pollUnsafe())
      yield* Scope.close(scope, Exit.void)
      for (let t = 0; t < 50 && waiter.pollUnsafe() === undefined; t++) yield* TestClock.adjust(1)
      const at = yield* Fiber.join(waiter)
      assert.isAtMost(at, 110, "the waiter got the lock right after the release")
    }).pipe(Effect.provide(withOptions({ retry: 5_000 })))
  )
})
