import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Schema, Tracer } from "effect"
import { TestClock } from "effect/testing"
import { EventStore } from "../../src/events/index.ts"
import { Alerts, Quotas, Usage } from "../../src/resources/index.ts"
import { step } from "../../src/resources/internal/hysteresis.ts"

const rule = { name: "chatty", metric: "messagesPerSecond", raiseAt: 10, clearAt: 5 } as const

const layer = (options: Parameters<typeof Alerts.layerWith>[0]) =>
  Alerts.layerWith(options).pipe(
    Layer.provideMerge(Quotas.layer),
    Layer.provideMerge(Usage.layer),
    Layer.provideMerge(EventStore.layerMemory()),
    Layer.orDie
  )

/** Sends `n` messages as `agent`, then lets one second pass and evaluates. */
const second = (agent: string, n: number) =>
  Effect.gen(function* () {
    const quotas = yield* Quotas
    for (let i = 0; i < n; i++) yield* quotas.check(agent)
    yield* TestClock.adjust("1 second")
    return yield* (yield* Alerts).evaluate
  })

describe("Alerts", () => {
  it.effect("raised at the threshold, not flapping in between, cleared below clearAt; each change is an event", () =>
    Effect.gen(function* () {
      const raised = yield* second("a", 12)
      assert.deepStrictEqual(
        raised.map((t) => [t.agent, t.state, t.value]),
        [["a", "raised", 12]]
      )
      for (const n of [9, 6, 11, 7]) assert.deepStrictEqual(yield* second("a", n), [])
      assert.deepStrictEqual(yield* (yield* Alerts).active, [{ rule: "chatty", agent: "a" }])
      const cleared = yield* second("a", 5)
      assert.deepStrictEqual(
        cleared.map((t) => [t.state, t.threshold]),
        [["cleared", 5]]
      )
      const page = yield* (yield* EventStore).query({ correlationId: "a" })
      assert.deepStrictEqual(
        page.events.map((e) => e.type),
        ["resource.alert.raised", "resource.alert.cleared"]
      )
      assert.deepInclude(page.events[0]?.payload as object, { rule: "chatty", agent: "a", value: 12, threshold: 10 })
      assert.deepStrictEqual(yield* (yield* Alerts).active, [])
    }).pipe(Effect.provide(layer({ rules: [rule] })))
  )

  it.effect("each alert change is traced as a span mabeam.resources.alert", () =>
    Effect.gen(function* () {
      const native = yield* Tracer.Tracer
      const names: Array<string> = []
      const recording = Tracer.make({
        span(options) {
          names.push(options.name)
          return native.span(options)
        }
      })
      yield* second("a", 12).pipe(Effect.provideService(Tracer.Tracer, recording))
      assert.strictEqual(names.filter((n) => n === "mabeam.resources.alert").length, 1)
      assert.include(names, "mabeam.resources.evaluate")
    }).pipe(Effect.provide(layer({ rules: [rule] })))
  )

  it.effect("a rule for one agent ignores the others; gauges alert on their current value", () =>
    Effect.gen(function* () {
      const usage = yield* Usage
      usage.table.row("b").inFlightAsks = 3
      const changes = yield* second("a", 50)
      assert.deepStrictEqual(
        changes.map((t) => [t.rule, t.agent]),
        [["asks", "b"]]
      )
    }).pipe(
      Effect.provide(
        layer({
          rules: [
            { ...rule, agent: "z" },
            { name: "asks", metric: "inFlightAsks", raiseAt: 3, clearAt: 0 }
          ]
        })
      )
    )
  )

  it.effect("with `every`, the layer evaluates on the clock by itself", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      for (let i = 0; i < 30; i++) yield* quotas.check("a")
      yield* TestClock.adjust("1 second")
      const page = yield* (yield* EventStore).query({ type: "resource.alert.raised" })
      assert.strictEqual(page.events.length, 1)
    }).pipe(Effect.provide(layer({ rules: [rule], every: "1 second" })))
  )

  it.effect("a rule whose clearAt is not below raiseAt is rejected", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Layer.build(
          Alerts.layerWith({ rules: [{ ...rule, clearAt: 10 }] }).pipe(
            Layer.provide(Usage.layer),
            Layer.provide(Layer.orDie(EventStore.layerMemory()))
          )
        )
      )
      assert.strictEqual(error.where, "Alerts.layerWith")
      assert.include(error.issue, "clearAt (10) must be below raiseAt (10)")
    })
  )

  it.effect("Usage.top ranks the hogs, highest first", () =>
    Effect.gen(function* () {
      const quotas = yield* Quotas
      for (const [agent, n] of [
        ["a", 3],
        ["b", 7],
        ["c", 5],
        ["d", 1]
      ] as const) {
        for (let i = 0; i < n; i++) yield* quotas.check(agent)
      }
      const top = yield* (yield* Usage).top(2, "messages")
      assert.deepStrictEqual(
        top.map((u) => [u.agent, u.messages]),
        [
          ["b", 7],
          ["c", 5]
        ]
      )
      assert.strictEqual((yield* Effect.flip((yield* Usage).top(0, "messages")))._tag, "InvalidInput")
      assert.strictEqual((yield* Effect.flip((yield* Usage).of(""))).where, "Usage.of")
    }).pipe(Effect.provide(layer({ rules: [] })))
  )

  it.prop(
    "hysteresis: alerts alternate raised/cleared, and a clear needs a value at or below clearAt",
    [Schema.Array(Schema.Finite)],
    ([values]) => {
      let raised = false
      let last: string | undefined
      for (const value of values) {
        const [next, change] = step(raised, value, { raiseAt: 10, clearAt: 5 })
        if (change !== undefined) {
          if (change === last) return false
          if (change === "cleared" && value > 5) return false
          if (change === "raised" && value < 10) return false
          last = change
        } else if (next !== raised) return false
        raised = next
      }
      return true
    }
  )
})
