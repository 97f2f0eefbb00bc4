import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { Transport } from "../../src/transport/index.ts"

describe("Transport.layerLocal", () => {
  it.effect("delivers in order to a bound endpoint and names the sender", () =>
    Effect.gen(function* () {
      const transport = yield* Transport
      const a = yield* transport.bind("a")
      const b = yield* transport.bind("b")
      yield* a.send(b.address, 1)
      yield* a.send(b.address, 2)
      const batch = yield* b.receive
      assert.deepStrictEqual(
        batch.map((envelope) => envelope.message),
        [1, 2]
      )
      assert.deepStrictEqual(batch[0]?.from, { node: "local", id: "a" })
    }).pipe(Effect.provide(Transport.layerLocal()))
  )

  it.effect("drops and counts messages to unknown endpoints, other nodes and full inboxes", () =>
    Effect.gen(function* () {
      const transport = yield* Transport
      const a = yield* transport.bind("a")
      const tiny = yield* transport.bind("tiny", { capacity: 1 })
      yield* a.send({ node: "local", id: "nobody" }, "lost")
      yield* a.send({ node: "elsewhere", id: "tiny" }, "lost")
      yield* a.send(tiny.address, "kept")
      yield* a.send(tiny.address, "overflow")
      assert.deepStrictEqual(yield* transport.stats, { sent: 4, delivered: 1, dropped: 3 })
    }).pipe(Effect.provide(Transport.layerLocal()))
  )

  it.effect("an id is bound once per node, and unbound when its scope closes", () =>
    Effect.gen(function* () {
      const transport = yield* Transport
      const scope = yield* Scope.make()
      yield* transport.bind("x").pipe(Scope.provide(scope))
      const taken = yield* Effect.flip(transport.bind("x"))
      assert.strictEqual(taken.message, `endpoint "x" is already bound on node "local"`)
      yield* Scope.close(scope, Exit.void)
      const again = yield* transport.bind("x")
      assert.deepStrictEqual(again.address, { node: "local", id: "x" })
    }).pipe(Effect.provide(Transport.layerLocal()))
  )
})
