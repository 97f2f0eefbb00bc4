import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { Coordination } from "../../src/coordination/index.ts"
import { Transport } from "../../src/transport/index.ts"
import { Consensus, Orchestrator, type Space } from "../../src/variables/index.ts"

const space: Space = { x: { _tag: "continuous", min: 0, max: 1 } }
const Live = Layer.mergeAll(Orchestrator.layer, Coordination.layer).pipe(Layer.provide(Transport.layerLocal()))

describe("Consensus policy", () => {
  it.effect("a score counts once the group agreed on it; a second report of the same proposal is closed", () =>
    Effect.gen(function* () {
      const orchestrator = yield* Orchestrator
      const policy = yield* Consensus.make
      yield* orchestrator.define("c", { space, goal: "maximize", policy })
      // Raft needs simulated time to elect a leader before anything commits.
      const first = yield* Effect.forkChild(
        orchestrator.observe("c", { assignment: { x: 0.5 }, score: 0.9, reporter: "w1", proposal: 1 })
      )
      for (let i = 0; i < 50 && first.pollUnsafe() === undefined; i++) yield* TestClock.adjust("100 millis")
      const accepted = yield* Fiber.join(first)
      assert.strictEqual(accepted._tag, "Recorded")
      const second = yield* Effect.forkChild(
        orchestrator.observe("c", { assignment: { x: 0.5 }, score: 0.1, reporter: "w2", proposal: 1 })
      )
      for (let i = 0; i < 50 && second.pollUnsafe() === undefined; i++) yield* TestClock.adjust("100 millis")
      assert.strictEqual((yield* Fiber.join(second))._tag, "Closed")
      const best = yield* orchestrator.best("c")
      assert.strictEqual(best._tag === "Some" && best.value.score, 0.9)
      assert.strictEqual((yield* orchestrator.summary("c")).policy, "consensus(raft)")
    }).pipe(Effect.provide(Live))
  )

  it.effect("while the group cannot agree the report is pending, and can be sent again", () =>
    Effect.gen(function* () {
      const orchestrator = yield* Orchestrator
      const policy = yield* Consensus.make
      yield* orchestrator.define("p", { space, goal: "maximize", policy })
      const early = yield* Effect.forkChild(
        orchestrator.observe("p", { assignment: { x: 0.2 }, score: 0.4, reporter: "w1", proposal: 7 })
      )
      for (let i = 0; i < 10 && early.pollUnsafe() === undefined; i++) yield* TestClock.adjust("10 millis")
      assert.strictEqual((yield* Fiber.join(early))._tag, "Pending", "no Raft leader within 50 ms")
      assert.isTrue((yield* orchestrator.best("p"))._tag === "None")
    }).pipe(
      Effect.provide(
        Layer.mergeAll(Orchestrator.layer, Coordination.layerWith({ timeout: 50 })).pipe(
          Layer.provide(Transport.layerLocal())
        )
      )
    )
  )
})
