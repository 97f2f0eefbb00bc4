import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, type Scope } from "effect"
import { TestClock } from "effect/testing"
import type { Event } from "../../src/coordination/index.ts"
import { Counter, Raft, runNode } from "../../src/coordination/index.ts"
import { Transport } from "../../src/transport/index.ts"

const inc = (client: string, seq: number, by = 1): Counter.Increment => ({ client, seq, by })
const recv = (message: Counter.CounterMessage): Event<Counter.CounterMessage> => ({
  _tag: "Receive",
  from: { node: "c", id: "x" },
  message,
  now: 0,
  random: 0
})

describe("Counter state machine", () => {
  it("applies an increment once: a resend answers the recorded value, an older seq is stale", () => {
    const one = Counter.applyIncrement(Counter.emptyCounter(), inc("a", 1, 5))
    assert.deepStrictEqual(one.result, { _tag: "Applied", value: 5 })
    const again = Counter.applyIncrement(one.state, inc("a", 1, 5))
    assert.deepStrictEqual(again.result, { _tag: "Duplicate", value: 5 })
    assert.strictEqual(again.state, one.state)
    const two = Counter.applyIncrement(one.state, inc("a", 2))
    assert.deepStrictEqual(Counter.applyIncrement(two.state, inc("a", 1)).result, { _tag: "Stale" })
  })

  it("refuses a new client beyond maxClients, and keeps the state unchanged", () => {
    const one = Counter.applyIncrement(Counter.emptyCounter(1), inc("a", 1)).state
    const full = Counter.applyIncrement(one, inc("b", 1))
    assert.deepStrictEqual(full.result, { _tag: "Full" })
    assert.strictEqual(full.state, one)
    assert.deepStrictEqual(Counter.replyFor(inc("b", 1), full.result), {
      _tag: "Rejected",
      client: "b",
      seq: 1,
      reason: "too-many-clients"
    })
  })

  it("the owner answers every increment and emits only first applications", () => {
    const step = Counter.counterOwnerStep()
    const first = step(Counter.emptyCounter(), recv({ _tag: "Increment", ...inc("a", 1) }))
    const dup = step(first.state, recv({ _tag: "Increment", ...inc("a", 1) }))
    assert.deepStrictEqual(
      first.outputs.map((o) => o._tag),
      ["Emit", "Send"]
    )
    assert.deepStrictEqual(dup.outputs, [
      { _tag: "Send", to: { node: "c", id: "x" }, message: { _tag: "Incremented", client: "a", seq: 1, value: 1 } }
    ])
  })

  it("a Raft member that is not the leader answers NotLeader; junk is not a counter message", () => {
    const member = Counter.makeRaftCounter({ raft: Raft.defaultRaftConfig(["a", "b", "c"]) })
    const s = member.init({ node: "a", id: "raft" }, undefined)
    const { outputs } = member.step(s, recv({ _tag: "Increment", ...inc("c", 1) }) as Event<Counter.RaftCounterMessage>)
    assert.deepStrictEqual(outputs, [
      {
        _tag: "Send",
        to: { node: "c", id: "x" },
        message: { _tag: "NotLeader", client: "c", seq: 1, leader: undefined }
      }
    ])
    assert.isFalse(Counter.isCounterMessage({ _tag: "Increment", client: "a", seq: 1, by: 0 }))
    assert.isFalse(Counter.isCounterMessage("x"))
  })
})

describe("Counter.increment over a Transport", () => {
  const owner = { node: "local", id: "counter" }
  const withOwner = <A, E>(body: Effect.Effect<A, E, Transport | Scope.Scope>, maxClients = 10) =>
    Effect.gen(function* () {
      const transport = yield* Transport
      const endpoint = yield* Effect.orDie(transport.bind("counter"))
      yield* Effect.forkScoped(runNode(Counter.makeCounterOwner({ maxClients }), { endpoint }))
      return yield* body
    }).pipe(Effect.provide(Transport.layerLocal()))

  it.effect("returns the value after each increment; a retried seq is applied once", () =>
    withOwner(
      Effect.gen(function* () {
        const endpoint = yield* (yield* Transport).bind("c1")
        assert.strictEqual(yield* Counter.increment(endpoint, [owner], { client: "c1", seq: 1, by: 3 }), 3)
        assert.strictEqual(yield* Counter.increment(endpoint, [owner], { client: "c1", seq: 1, by: 3 }), 3)
        assert.strictEqual(yield* Counter.increment(endpoint, [owner], { client: "c1", seq: 2 }), 4)
      })
    )
  )

  it.effect("fails with CounterRejected when sessions are full, InvalidInput on bad input", () =>
    withOwner(
      Effect.gen(function* () {
        const transport = yield* Transport
        const one = yield* transport.bind("c1")
        const two = yield* transport.bind("c2")
        yield* Counter.increment(one, [owner], { client: "c1", seq: 1 })
        const rejected = yield* Effect.flip(Counter.increment(two, [owner], { client: "c2", seq: 1 }))
        assert.strictEqual(rejected.message, "counter increment c2#1 rejected: too-many-clients")
        const bad = yield* Effect.flip(Counter.increment(two, [owner], { client: "", seq: 0 }))
        assert.strictEqual(bad._tag, "InvalidInput")
        const none = yield* Effect.flip(Counter.increment(two, [], { client: "c2", seq: 1 }))
        assert.strictEqual(none._tag, "InvalidInput")
      }),
      1
    )
  )

  it.effect("fails with CounterTimeout when nobody answers", () =>
    Effect.gen(function* () {
      const endpoint = yield* (yield* Transport).bind("c1")
      const fiber = yield* Effect.forkChild(
        Effect.flip(Counter.increment(endpoint, [owner], { client: "c1", seq: 1, timeout: 300 }))
      )
      yield* TestClock.adjust(300)
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "CounterTimeout")
    }).pipe(Effect.provide(Transport.layerLocal()))
  )
})
