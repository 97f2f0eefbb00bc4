/**
 * gen_server conformance for messages arriving through untyped paths (lookup refs, Comms): each
 * is checked against the agent's `messages` Schema. A mismatch is a typed `InvalidInput` to the
 * sender and a counted `"invalid-message"` dead letter; the agent's state is untouched.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { AgentSystem } from "../../src/agent/index.ts"
import { Comms } from "../../src/comms/index.ts"
import { Add, Total, settle, systemLayer, worker } from "./fixtures.ts"

describe("gen_server: messages from untyped paths are checked", () => {
  it.effect("a lookup ref refuses a wrong field type, an unknown tag and a bare string; the state is untouched", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const typed = yield* system.spawn(worker("summer"), { id: "sum" })
      yield* typed.tell(Add.make({ by: 1 }))
      const ref = Option.getOrThrow(system.lookup("sum"))
      for (const bad of [{ _tag: "Add", by: "two" }, { _tag: "Explode" }, "hello", undefined]) {
        const error = yield* Effect.flip(ref.tell(bad))
        assert.strictEqual(error._tag, "InvalidInput", `refused ${JSON.stringify(bad)}`)
      }
      assert.strictEqual(
        (yield* Effect.flip(ref.ask({ _tag: "Totl" })))._tag,
        "InvalidInput",
        "an ask is refused the same way"
      )
      assert.isFalse(ref.tellUnsafe({ _tag: "Add", by: "three" }))
      yield* ref.tell({ _tag: "Add", by: 2 })
      assert.strictEqual(
        yield* ref.ask(Total.make({})),
        3,
        "valid messages pass; the invalid ones never reached the state"
      )
      const dead = yield* system.deadLetters
      assert.strictEqual(dead["invalid-message"], 6)
    }).pipe(Effect.provide(systemLayer()))
  )

  it.effect("Comms.publish drops and counts a message the subscriber's Schema refuses", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const comms = yield* Comms
      const ref = yield* system.spawn(worker("listener"))
      yield* comms.subscribe("sums", ref)
      const bad = yield* comms.publish("sums", { _tag: "Add", by: "two" })
      assert.deepStrictEqual(bad, { delivered: 0, dropped: 1 })
      const good = yield* comms.publish("sums", { _tag: "Add", by: 5 })
      assert.deepStrictEqual(good, { delivered: 1, dropped: 0 })
      yield* settle
      assert.strictEqual(yield* ref.ask(Total.make({})), 5)
      assert.strictEqual((yield* system.deadLetters)["invalid-message"], 1)
    }).pipe(Effect.provide(Comms.layer.pipe(Layer.provideMerge(systemLayer()))))
  )
})
