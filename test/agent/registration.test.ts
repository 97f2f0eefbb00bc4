import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Fiber, Layer, Option, Scope, Stream } from "effect"
import { AgentSystem } from "../../src/agent/index.ts"
import { Registry } from "../../src/registry/index.ts"
import { Counter, Crash, Get } from "./fixtures.ts"

const settle = Effect.gen(function* () {
  for (let i = 0; i < 20; i++) yield* Effect.yieldNow
})

const Live = AgentSystem.layer.pipe(Layer.provideMerge(Registry.layer))

describe("Agents in the registry", () => {
  it.effect("an agent registers itself with its metadata and is found by capability", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const registry = yield* Registry
      const bidder = yield* system.spawn({ ...Counter, capabilities: ["bidder"] }, { id: "bidder-1" })
      yield* system.spawn(Counter, { id: "plain" })
      yield* settle
      const found = yield* registry.select({ capabilities: "bidder" })
      assert.deepStrictEqual(
        found.map((entry) => entry.key),
        ["bidder-1"]
      )
      const entry = yield* registry.lookup("bidder-1")
      assert.isTrue(Option.isSome(entry))
      assert.deepStrictEqual(Option.getOrThrow(entry).value, { node: "local", id: "bidder-1" })
      assert.strictEqual(yield* bidder.ask(Get.make({})), 0)
    }).pipe(Effect.provide(Live))
  )

  it.effect("the entry goes when the agent crashes and comes back when it restarts", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const registry = yield* Registry
      const changes = yield* registry.subscribe
      const seen = yield* Effect.forkChild(changes.pipe(Stream.take(3), Stream.runCollect))
      const agent = yield* system.spawn(Counter, { id: "phoenix" })
      yield* settle
      yield* agent.tell(Crash.make({}))
      yield* settle
      const events = yield* Fiber.join(seen)
      assert.deepStrictEqual(
        events.map((change) => [change._tag, change.entry.key]),
        [
          ["Registered", "phoenix"],
          ["Unregistered", "phoenix"],
          ["Registered", "phoenix"]
        ]
      )
      yield* system.stop(agent)
      assert.isTrue(Option.isNone(yield* registry.lookup("phoenix")))
    }).pipe(Effect.provide(Live))
  )

  it.effect("closing the root scope leaves zero agents and zero registry entries", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(Live, scope)
      const system = Context.get(context, AgentSystem)
      const registry = Context.get(context, Registry)
      yield* Effect.forEach(
        Array.from({ length: 50 }, (_, i) => i),
        (i) => system.spawn(Counter, { id: `a${i}` })
      )
      yield* settle
      assert.strictEqual(yield* registry.count, 50)
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual(system.size(), 0)
      assert.deepStrictEqual(yield* system.root.children, [], "no child fiber is left")
      assert.strictEqual(yield* registry.count, 0)
    })
  )
})
