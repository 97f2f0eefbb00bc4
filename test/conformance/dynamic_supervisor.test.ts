/**
 * OTP `simple_one_for_one` / Elixir `DynamicSupervisor` conformance, applied to the default tree:
 * agents spawned without a supervisor live under their definition's dynamic group supervisor, a
 * temporary child of the root. A group that exceeds its intensity stops only itself.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger, Option, Queue, Stream } from "effect"
import { TestClock } from "effect/testing"
import { AgentSystem } from "../../src/agent/index.ts"
import { Boom, Ping, settle, systemLayer, worker } from "./fixtures.ts"

const lines: Array<string> = []
const capture = Logger.make(({ logLevel, message }) => {
  if (logLevel === "Error") lines.push((message as Array<unknown>).join(" "))
})

describe("dynamic supervisor: one group per definition", () => {
  it.effect(
    "10,000 agents, 10% crash repeatedly: their group gives up alone, every other agent stays alive",
    () =>
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const events = yield* Stream.toQueue(
          Stream.filter(system.events, (event) => event._tag === "AgentGroupFailed"),
          { capacity: 16 }
        )
        yield* settle
        const steady = worker("steady")
        const flaky = worker("flaky")
        const healthy = yield* Effect.forEach(
          Array.from({ length: 9_000 }, (_, i) => i),
          (i) => system.spawn(steady, { id: `steady-${i}` })
        )
        const crashing = yield* Effect.forEach(
          Array.from({ length: 1_000 }, (_, i) => i),
          (i) => system.spawn(flaky, { id: `flaky-${i}` })
        )
        assert.strictEqual(system.size(), 10_000)
        for (let round = 0; round < 3; round++) {
          for (const ref of crashing) if (ref.isAlive()) ref.tellUnsafe(Boom.make({}))
          yield* settle
          yield* TestClock.adjust("1 second")
        }
        const failed = yield* Queue.take(events)
        assert.strictEqual(failed._tag === "AgentGroupFailed" ? failed.kind : "", "flaky")
        assert.isTrue(
          lines.some((line) => line.includes("agents/flaky")),
          "an error-level log names the group"
        )
        assert.isTrue(
          crashing.every((ref) => !ref.isAlive()),
          "the flaky group stopped its own agents"
        )
        assert.strictEqual(system.size(), 9_000)
        assert.isTrue(healthy.every((ref) => ref.isAlive()))
        const answers = yield* Effect.forEach(healthy, (ref) => ref.ask(Ping.make({})))
        assert.isTrue(answers.every((answer) => answer === "pong"))
        assert.deepStrictEqual(
          (yield* system.root.children).map((child) => child.id),
          ["agents/steady"],
          "the root lives on"
        )
        // The next spawn of the failed definition gets a fresh group.
        const again = yield* system.spawn(flaky, { id: "flaky-again" })
        assert.strictEqual(yield* again.ask(Ping.make({})), "pong")
        assert.isTrue(Option.isSome(system.group("flaky")))
      }).pipe(Effect.provide(systemLayer()), Effect.provide(Logger.layer([capture]))),
    { timeout: 60_000 }
  )

  it.effect("a definition sizes its own group's intensity", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const tough = worker("tough", { intensity: { maxRestarts: 1_000, within: "1 minute" } })
      const refs = yield* Effect.forEach(
        Array.from({ length: 100 }, (_, i) => i),
        (i) => system.spawn(tough, { id: `tough-${i}` })
      )
      for (const ref of refs) ref.tellUnsafe(Boom.make({}))
      yield* settle
      assert.isTrue(refs.every((ref) => ref.isAlive()))
      const group = Option.getOrThrow(system.group("tough"))
      assert.strictEqual(
        (yield* group.children).reduce((sum, child) => sum + child.restarts, 0),
        100
      )
    }).pipe(Effect.provide(systemLayer()))
  )

  it.effect("a bad per-definition intensity is InvalidInput at spawn", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const error = yield* Effect.flip(
        system.spawn(worker("odd", { intensity: { maxRestarts: -1, within: "1 minute" } }))
      )
      assert.strictEqual(error._tag, "InvalidInput")
      assert.strictEqual(system.size(), 0)
    }).pipe(Effect.provide(systemLayer()))
  )
})
