import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Option, Random, Scope } from "effect"
import { TestClock } from "effect/testing"
import { Coordination, Fencing } from "../../src/coordination/index.ts"
import { Transport } from "../../src/transport/index.ts"

const live = Coordination.layer.pipe(Layer.provide(Transport.layerLocal()))

const drive = <A, E, R>(body: Effect.Effect<A, E, R>, step = 10, limit = 20_000) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(body)
    for (let t = 0; t < limit && fiber.pollUnsafe() === undefined; t += step) yield* TestClock.adjust(step)
    return yield* Fiber.join(fiber)
  })

describe("Fencing at the resource", () => {
  it.effect("a fence admits a token iff no higher one was admitted for that resource (500 random admits)", () =>
    Effect.gen(function* () {
      const fence = Fencing.makeFence()
      const highest = new Map<string, number>()
      for (let i = 0; i < 500; i++) {
        const resource = `r${yield* Random.nextIntBetween(0, 2)}`
        const token = yield* Random.nextIntBetween(0, 40)
        const result = yield* Effect.result(fence.admit(resource, token))
        const expected = token >= (highest.get(resource) ?? 0)
        assert.strictEqual(
          result._tag === "Success",
          expected,
          `${resource} token ${token} after ${highest.get(resource)}`
        )
        if (expected) highest.set(resource, token)
        else if (result._tag === "Failure" && result.failure._tag === "StaleToken")
          assert.strictEqual(result.failure.highest, highest.get(resource))
        assert.strictEqual(yield* fence.highest(resource), highest.get(resource) ?? 0)
      }
      const bad = yield* Effect.flip(fence.admit("r0", -1))
      assert.strictEqual(bad._tag, "InvalidInput")
      assert.strictEqual(yield* fence.highest("r0"), highest.get("r0") ?? 0, "bad input changes nothing")
    }).pipe(Random.withSeed(11))
  )

  it.effect(
    "a released holder's write is refused at the store once the next holder wrote, though its clock still shows the lease valid",
    () =>
      Effect.gen(function* () {
        const c = yield* Coordination
        const store = Fencing.makeFencedStore<string>()
        const scopeA = yield* Scope.make()
        const a = yield* Scope.provide(c.lock("db", { ttl: 60_000 }), scopeA)
        yield* a.write(store, "k", "a1")
        yield* Scope.close(scopeA, Exit.void)
        const b = yield* drive(c.lock("db", { ttl: 60_000 }))
        assert.isAbove(b.token, a.token)
        yield* b.write(store, "k", "b1")
        // a's lease object still says "valid until 60000": only the resource can tell it is lost.
        yield* a.check
        const refused = yield* Effect.flip(a.write(store, "k", "a2"))
        assert.strictEqual(refused._tag, "StaleToken")
        if (refused._tag !== "StaleToken") return
        assert.deepStrictEqual([refused.resource, refused.token, refused.highest], ["k", a.token, b.token])
        assert.include(refused.message, "acquire the lock again")
        assert.deepStrictEqual(yield* store.read("k"), Option.some("b1"))
        // lease.guard with a fence: the work of the stale holder never runs.
        const fence = Fencing.makeFence()
        const ran: Array<string> = []
        yield* b.guard(
          Effect.sync(() => void ran.push("b")),
          { fence, resource: "db-file" }
        )
        const guarded = yield* Effect.flip(
          a.guard(
            Effect.sync(() => void ran.push("a")),
            { fence, resource: "db-file" }
          )
        )
        assert.strictEqual(guarded._tag, "StaleToken")
        assert.deepStrictEqual(ran, ["b"])
      }).pipe(Effect.provide(live))
  )
})
