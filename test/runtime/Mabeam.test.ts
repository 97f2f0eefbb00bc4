import { assert, describe, it } from "@effect/vitest"
import { Clock, Context, Effect, Exit, Layer, Metric, Random, Schema, Scope } from "effect"
import { TestClock } from "effect/testing"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { Registry } from "../../src/registry/index.ts"
import { Mabeam, MabeamTest } from "../../src/runtime/index.ts"
import * as Telemetry from "../../src/telemetry/index.ts"

const Work = Agent.message("Work", { round: Schema.Number })
const Done = Agent.request("Done", {}, Schema.Array(Schema.String))

/** Each message makes the worker wait a random time on the clock, then log when it woke. */
const Worker = Agent.make({
  name: "worker",
  messages: Schema.Union([Work, Done]),
  initial: () => [] as ReadonlyArray<string>,
  handle: (trace, msg, ctx) => {
    if (msg._tag === "Done") {
      ctx.reply(msg, [...trace])
      return trace
    }
    return Effect.gen(function* () {
      const wait = yield* Random.nextIntBetween(1, 1000)
      yield* Effect.sleep(wait)
      const now = yield* Clock.currentTimeMillis
      return [...trace, `${ctx.self.id}@${now}:${msg.round}`]
    })
  }
})

/** Three workers, five rounds each, the clock advanced in steps; returns every worker's trace. */
const scenario = Effect.gen(function* () {
  const agents = yield* AgentSystem
  const workers = yield* Effect.forEach(["w1", "w2", "w3"], (id) => agents.spawn(Worker, { id }))
  for (let round = 0; round < 5; round++) {
    for (const worker of workers) yield* worker.tell(Work.make({ round }))
  }
  yield* TestClock.adjust("10 seconds")
  return yield* Effect.forEach(workers, (worker) => worker.ask(Done.make({})))
})

describe("Mabeam.layer", () => {
  it.effect("closing the scope stops every agent and removes every registry entry", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const services = yield* Layer.buildWithScope(Mabeam.layer({ env: {} }), scope)
      const agents = Context.get(services, AgentSystem)
      const registry = Context.get(services, Registry)
      yield* Effect.forEach(
        Array.from({ length: 20 }, (_, i) => i),
        (i) => agents.spawn(Worker, { id: `w${i}` })
      )
      for (let i = 0; i < 10; i++) yield* Effect.yieldNow
      assert.strictEqual(yield* registry.count, 20)
      const size = yield* Metric.value(Metric.withAttributes(Telemetry.registrySize, { namespace: "default" }))
      assert.strictEqual(size.value, 20, "the registry size gauge follows the registry")
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual(agents.size(), 0)
      assert.strictEqual(yield* registry.count, 0)
    })
  )

  it.effect("invalid configuration fails at startup with a message naming the key", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Layer.build(Mabeam.layer({ env: { MABEAM_LIMITER_CAPACITY: "-2" } })))
      assert.strictEqual(error._tag, "InvalidConfig")
      assert.match(error.message, /limiter\.capacity \(MABEAM_LIMITER_CAPACITY\) = "-2"/)
    })
  )
})

describe("MabeamTest.layer", () => {
  it.effect("the same seed gives the same trace; another seed gives another", () =>
    Effect.gen(function* () {
      const run = (seed: number) => scenario.pipe(Effect.provide(MabeamTest.layer({ seed })))
      const first = yield* run(42)
      const second = yield* run(42)
      const other = yield* run(43)
      assert.strictEqual(first.flat().length, 15)
      assert.deepStrictEqual(first, second)
      assert.notDeepEqual(first, other)
    })
  )
})
