import { assert, describe, it } from "@effect/vitest"
import { Effect, Random } from "effect"
import { TestClock } from "effect/testing"
import { Trace } from "../../src/sim/index.ts"
import { makeSimNetwork } from "../../src/transport/sim/index.ts"

describe("SimNetwork", () => {
  it.effect("delivers after a delay within the link's bounds, not before", () =>
    Effect.gen(function* () {
      const network = yield* makeSimNetwork({ defaults: { minDelay: 5, maxDelay: 5 } })
      const a = yield* network.transport("A").bind("x")
      const b = yield* network.transport("B").bind("x")
      yield* a.send(b.address, "hi")
      yield* TestClock.adjust(4)
      assert.deepStrictEqual(yield* network.stats, { sent: 1, delivered: 0, dropped: 0, duplicated: 0, inFlight: 1 })
      yield* TestClock.adjust(1)
      const batch = yield* b.receive
      assert.deepStrictEqual(
        batch.map((e) => [e.from, e.message]),
        [[{ node: "A", id: "x" }, "hi"]]
      )
    }).pipe(Random.withSeed(1))
  )

  it.effect("partitions, crashes, drops and duplicates are counted", () =>
    Effect.gen(function* () {
      const network = yield* makeSimNetwork({ defaults: { minDelay: 1, maxDelay: 3, duplicate: 1 } })
      const a = yield* network.transport("A").bind("x")
      const b = yield* network.transport("B").bind("x")
      yield* network.partition([["A"]])
      yield* a.send(b.address, 1)
      yield* network.heal
      yield* network.crash("B")
      yield* a.send(b.address, 2)
      yield* network.restart("B")
      yield* a.send(b.address, 3)
      yield* TestClock.adjust(10)
      assert.deepStrictEqual(
        (yield* b.receive).map((e) => e.message),
        [3, 3]
      )
      yield* network.setLink("A", "B", { minDelay: 1, maxDelay: 1, drop: 1, duplicate: 0 })
      yield* a.send(b.address, 4)
      assert.deepStrictEqual(yield* network.stats, { sent: 4, delivered: 2, dropped: 3, duplicated: 1, inFlight: 0 })
    }).pipe(Random.withSeed(2))
  )

  it.effect("rejects bad options with InvalidInput", () =>
    Effect.gen(function* () {
      const negative = yield* Effect.flip(makeSimNetwork({ defaults: { drop: -0.5 } }))
      assert.strictEqual(negative._tag, "InvalidInput")
      const inverted = yield* Effect.flip(makeSimNetwork({ defaults: { minDelay: 9, maxDelay: 2 } }))
      assert.strictEqual(inverted.message, "SimNetwork.make: invalid input: minDelay 9 is above maxDelay 2")
      const network = yield* makeSimNetwork()
      const bad = yield* Effect.flip(network.setLink("A", "B", { minDelay: 0, maxDelay: 1, drop: 0, duplicate: 0 }))
      assert.strictEqual(bad.where, "SimNetwork.setLink")
    })
  )

  it("the trace keeps the newest lines and hashes all of them", () => {
    const a = new Trace(2)
    const b = new Trace(5)
    for (const line of ["x", "y", "z"]) {
      a.record(line)
      b.record(line)
    }
    assert.deepStrictEqual(a.lines(), ["y", "z"])
    assert.strictEqual(a.count, 3)
    assert.strictEqual(a.hash, b.hash)
  })
})
