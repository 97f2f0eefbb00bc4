import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import type { Event } from "../../src/coordination/index.ts"
import { Barrier, runNode } from "../../src/coordination/index.ts"
import { Transport } from "../../src/transport/index.ts"

const init = Barrier.makeBarrier({ parties: ["a", "b"], timeout: 100 }).init({ node: "c", id: "barrier" }, undefined)
const arrive = (node: string, generation: number, now = 0): Event<Barrier.BarrierMessage> => ({
  _tag: "Receive",
  from: { node, id: "barrier" },
  message: { _tag: "Arrive", generation },
  now,
  random: 0
})
const messages = (outputs: ReadonlyArray<{ _tag: string }>) =>
  outputs
    .flatMap((o) =>
      o._tag === "Send" ? [o as unknown as { to: { node: string }; message: Barrier.BarrierMessage }] : []
    )
    .map((o) => [o.to.node, o.message])

describe("Barrier coordinator step function", () => {
  it("releases everyone only when the last party arrives, then opens the next generation", () => {
    const one = Barrier.barrierStep(init, arrive("a", 0))
    assert.deepStrictEqual(messages(one.outputs), [])
    const dup = Barrier.barrierStep(one.state, arrive("a", 0))
    assert.strictEqual(dup.state, one.state)
    const two = Barrier.barrierStep(one.state, arrive("b", 0))
    assert.deepStrictEqual(messages(two.outputs), [
      ["a", { _tag: "Release", generation: 0 }],
      ["b", { _tag: "Release", generation: 0 }]
    ])
    assert.strictEqual(two.state.generation, 1)
    assert.deepStrictEqual(two.state.arrived, [])
    assert.deepStrictEqual(one.state.arrived, [{ node: "a", id: "barrier" }])
  })

  it("breaks a generation at its deadline, naming who is missing", () => {
    const one = Barrier.barrierStep(init, arrive("a", 0))
    const broken = Barrier.barrierStep(one.state, { _tag: "Timer", key: "deadline", now: 100, random: 0 })
    assert.deepStrictEqual(messages(broken.outputs), [["a", { _tag: "Broken", generation: 0, missing: ["b"] }]])
    assert.strictEqual(broken.state.generation, 1)
  })

  it("answers a late arrival with the generation's outcome, and ignores strangers and future generations", () => {
    const done = Barrier.barrierStep(Barrier.barrierStep(init, arrive("a", 0)).state, arrive("b", 0)).state
    assert.deepStrictEqual(messages(Barrier.barrierStep(done, arrive("a", 0)).outputs), [
      ["a", { _tag: "Release", generation: 0 }]
    ])
    assert.strictEqual(Barrier.barrierStep(done, arrive("z", 1)).state, done)
    assert.strictEqual(Barrier.barrierStep(done, arrive("a", 5)).state, done)
    assert.isFalse(Barrier.isBarrierMessage({ _tag: "Arrive", generation: -1 }))
  })
})

describe("Barrier.arrive over a Transport", () => {
  const coordinator = { node: "local", id: "barrier" }
  it.effect("every party passes together; a party that never comes breaks the next generation", () =>
    Effect.gen(function* () {
      const transport = yield* Transport
      const endpoint = yield* Effect.orDie(transport.bind("barrier"))
      yield* Effect.forkScoped(runNode(Barrier.makeBarrier({ parties: ["local"], timeout: 500 }), { endpoint }))
      const party = yield* Effect.orDie(transport.bind("party"))
      assert.strictEqual(yield* Barrier.arrive(party, coordinator, { generation: 0 }), 1)
      const bad = yield* Effect.flip(Barrier.arrive(party, coordinator, { generation: -1 }))
      assert.strictEqual(bad._tag, "InvalidInput")
    }).pipe(Effect.provide(Transport.layerLocal()))
  )

  it.effect("a crashed party makes the others fail with BarrierBroken instead of hanging", () =>
    Effect.gen(function* () {
      const transport = yield* Transport
      const endpoint = yield* Effect.orDie(transport.bind("barrier"))
      // Parties are identified by node; "ghost" never arrives.
      yield* Effect.forkScoped(
        runNode(Barrier.makeBarrier({ parties: ["local", "ghost"], timeout: 500 }), { endpoint })
      )
      const party = yield* Effect.orDie(transport.bind("party"))
      const fiber = yield* Effect.forkChild(Effect.flip(Barrier.arrive(party, coordinator, { generation: 0 })))
      yield* TestClock.adjust(600)
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error.message, "barrier generation 0 broken: ghost never arrived")
    }).pipe(Effect.provide(Transport.layerLocal()))
  )
})
