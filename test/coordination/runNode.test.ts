import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import type { Protocol } from "../../src/coordination/index.ts"
import { runNode } from "../../src/coordination/index.ts"
import { makeLocal } from "../../src/transport/index.ts"

/** Records every timer it sees; a message sets (or cancels) a timer. */
type M =
  | { readonly _tag: "Set"; readonly key: string; readonly after: number }
  | { readonly _tag: "Cancel"; readonly key: string }
const recorder: Protocol<ReadonlyArray<string>, M, undefined, never> = {
  name: "recorder",
  init: () => [],
  step: (s, e) => {
    if (e._tag === "Start") return { state: s, outputs: [{ _tag: "SetTimer", key: "late", at: e.now + 1_000 }] }
    if (e._tag === "Timer") return { state: [...s, `${e.key}@${e.now}`], outputs: [] }
    const m = e.message
    return {
      state: s,
      outputs: [
        m._tag === "Set" ? { _tag: "SetTimer", key: m.key, at: e.now + m.after } : { _tag: "CancelTimer", key: m.key }
      ]
    }
  },
  persist: () => undefined,
  isMessage: (u): u is M => typeof u === "object" && u !== null && "_tag" in u
}

describe("runNode", () => {
  it.effect(
    "a timer set by a message earlier than the one slept on fires on time; cancelled and replaced timers do not fire",
    () =>
      Effect.gen(function* () {
        const transport = makeLocal("local")
        const node = yield* Effect.orDie(transport.bind("node"))
        const client = yield* Effect.orDie(transport.bind("client"))
        let seen: ReadonlyArray<string> = []
        const fiber = yield* Effect.forkChild(runNode(recorder, { endpoint: node, observe: (s) => void (seen = s) }))
        yield* TestClock.adjust(100)
        yield* client.send(node.address, { _tag: "Set", key: "early", after: 10 })
        yield* client.send(node.address, { _tag: "Set", key: "gone", after: 20 })
        yield* client.send(node.address, { _tag: "Cancel", key: "gone" })
        yield* TestClock.adjust(200)
        assert.deepStrictEqual(seen, ["early@110"])
        yield* client.send(node.address, { _tag: "Set", key: "late", after: 50 })
        yield* TestClock.adjust(1_000)
        assert.deepStrictEqual(seen, ["early@110", "late@350"], "the replaced timer fires at its new time only")
        yield* Fiber.interrupt(fiber)
      })
  )
})
