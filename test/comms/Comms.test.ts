import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Schema, Scope } from "effect"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { Comms } from "../../src/comms/index.ts"
import { Registry } from "../../src/registry/index.ts"

const Note = Agent.message("Note", { text: Schema.String })
const Count = Agent.request("Count", {}, Schema.Number)
const Listener = Agent.make({
  name: "listener",
  messages: Schema.Union([Note, Count]),
  initial: () => 0,
  handle: (n: number, msg, ctx) => {
    if (msg._tag === "Count") {
      ctx.reply(msg, n)
      return n
    }
    return n + 1
  }
})
const Live = Comms.layer.pipe(Layer.provideMerge(AgentSystem.layer), Layer.provideMerge(Registry.layer))
const settle = Effect.gen(function* () {
  for (let i = 0; i < 20; i++) yield* Effect.yieldNow
})

describe("Comms", () => {
  it.effect("publish reaches every subscriber of the topic, and only while subscribed", () =>
    Effect.gen(function* () {
      const agents = yield* AgentSystem
      const comms = yield* Comms
      const a = yield* agents.spawn(Listener)
      const b = yield* agents.spawn(Listener)
      const scope = yield* Scope.make()
      yield* comms.subscribe("news", a)
      yield* comms.subscribe("news", b).pipe(Scope.provide(scope))
      assert.deepStrictEqual(yield* comms.publish("news", Note.make({ text: "one" })), { delivered: 2, dropped: 0 })
      yield* Scope.close(scope, Exit.void)
      assert.deepStrictEqual(yield* comms.publish("news", Note.make({ text: "two" })), { delivered: 1, dropped: 0 })
      assert.deepStrictEqual(yield* comms.publish("other", Note.make({ text: "x" })), { delivered: 0, dropped: 0 })
      assert.strictEqual(yield* a.ask(Count.make({})), 2)
      assert.strictEqual(yield* b.ask(Count.make({})), 1)
    }).pipe(Effect.provide(Live))
  )

  it.effect("a slow subscriber with a full mailbox loses the message alone; the others get it", () =>
    Effect.gen(function* () {
      const agents = yield* AgentSystem
      const comms = yield* Comms
      const slow = yield* agents.spawn({ ...Listener, mailbox: { capacity: 1, overflow: "backpressure" } })
      const fast = yield* agents.spawn(Listener)
      yield* comms.subscribe("t", slow)
      yield* comms.subscribe("t", fast)
      const first = yield* comms.publish("t", Note.make({ text: "1" }))
      const second = yield* comms.publish("t", Note.make({ text: "2" })) // slow has not run yet: full
      assert.deepStrictEqual(
        [first, second],
        [
          { delivered: 2, dropped: 0 },
          { delivered: 1, dropped: 1 }
        ]
      )
      assert.strictEqual((yield* agents.deadLetters)["mailbox-full"], 1)
      yield* settle
      assert.strictEqual(yield* fast.ask(Count.make({})), 2)
      assert.strictEqual(yield* slow.ask(Count.make({})), 1)
    }).pipe(Effect.provide(Live))
  )

  it.effect("broadcast reaches every running agent the registry selects", () =>
    Effect.gen(function* () {
      const agents = yield* AgentSystem
      const comms = yield* Comms
      const bidders = yield* Effect.forEach([1, 2, 3], (i) =>
        agents.spawn({ ...Listener, capabilities: ["bidder"] }, { id: `bidder-${i}` })
      )
      const other = yield* agents.spawn(Listener, { id: "other" })
      yield* settle
      assert.deepStrictEqual(yield* comms.broadcast({ capabilities: "bidder" }, Note.make({ text: "auction opens" })), {
        delivered: 3,
        dropped: 0
      })
      for (const bidder of bidders) assert.strictEqual(yield* bidder.ask(Count.make({})), 1)
      assert.strictEqual(yield* other.ask(Count.make({})), 0)
    }).pipe(Effect.provide(Live))
  )

  it.effect("bad topics and selectors are typed errors", () =>
    Effect.gen(function* () {
      const comms = yield* Comms
      const agents = yield* AgentSystem
      const ref = yield* agents.spawn(Listener)
      assert.strictEqual((yield* Effect.flip(comms.publish("", "x")))._tag, "InvalidInput")
      assert.strictEqual((yield* Effect.flip(comms.subscribe("", ref)))._tag, "InvalidInput")
      assert.strictEqual(comms.subscribers(""), 0)
      const bad = yield* Effect.flip(comms.broadcast({ capabilities: { nested: 1 } } as never, "x"))
      assert.strictEqual(bad._tag, "InvalidInput")
    }).pipe(Effect.provide(Live))
  )
})
