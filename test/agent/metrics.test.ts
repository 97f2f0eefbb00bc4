import { assert, describe, it } from "@effect/vitest"
import { Effect, Metric } from "effect"
import { AgentSystem } from "../../src/agent/index.ts"
import * as Telemetry from "../../src/telemetry/index.ts"
import { Counter, Crash, Get, Increment } from "./fixtures.ts"

const settle = Effect.gen(function* () {
  for (let i = 0; i < 20; i++) yield* Effect.yieldNow
})

describe("agent metrics", () => {
  it.effect("agents alive, messages, restarts and dropped messages are reported as metrics", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const a = yield* system.spawn(Counter, { id: "m-a" })
      const b = yield* system.spawn({ ...Counter, mailbox: { capacity: 1, overflow: "drop-newest" } }, { id: "m-b" })
      yield* settle
      assert.strictEqual(
        (yield* Metric.value(Metric.withAttributes(Telemetry.agentsAlive, { node: "metrics-node" }))).value,
        2
      )
      yield* a.tell(Crash.make({}))
      yield* b.tell(Increment.make({ by: 1 }))
      yield* b.tell(Increment.make({ by: 1 }))
      yield* settle
      assert.strictEqual(yield* a.ask(Get.make({})), 0)
      const restarts = yield* Metric.value(Metric.withAttributes(Telemetry.restarts, { kind: "counter" }))
      assert.strictEqual(restarts.count, 1)
      const crashed = yield* Metric.value(
        Metric.withAttributes(Telemetry.messagesDropped, { reason: "handler-crashed" })
      )
      const full = yield* Metric.value(Metric.withAttributes(Telemetry.messagesDropped, { reason: "mailbox-full" }))
      assert.deepStrictEqual([crashed.count, full.count], [1, 1])
      const sent = yield* Metric.value(Metric.withAttributes(Telemetry.messagesSent, { node: "metrics-node" }))
      assert.strictEqual(sent.count, 3, "Crash and Get taken by a, the one Increment b accepted")
      yield* system.stop(b)
      assert.strictEqual(
        (yield* Metric.value(Metric.withAttributes(Telemetry.agentsAlive, { node: "metrics-node" }))).value,
        1
      )
    }).pipe(Effect.provide(AgentSystem.layerWith({ node: "metrics-node" })))
  )
})
