/** Agents and wiring shared by the monitor tests. */
import { Effect, Layer, Schema, type Scope } from "effect"
import { TestClock } from "effect/testing"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { EventStore } from "../../src/events/index.ts"

export const Work = Agent.message("Work", { millis: Schema.Number })
export const Crash = Agent.message("Crash", {})
export const Count = Agent.request("Count", {}, Schema.Number)
export const WorkerMessage = Schema.Union([Work, Crash, Count])

/** Handles `Work` by sleeping `millis` on the clock (0: synchronously); `Crash` throws. */
export const Worker = Agent.make({
  name: "worker",
  messages: WorkerMessage,
  initial: () => 0,
  handle: (n: number, msg, ctx) => {
    switch (msg._tag) {
      case "Work":
        return msg.millis === 0 ? n + 1 : Effect.as(Effect.sleep(msg.millis), n + 1)
      case "Crash":
        throw new Error("crash requested")
      case "Count":
        ctx.reply(msg, n)
        return n
    }
  }
})

export const settle = Effect.gen(function* () {
  for (let i = 0; i < 30; i++) yield* Effect.yieldNow
})

/**
 * Provides an agent system (lenient restart intensity) and an in-memory event store. Advances the
 * clock a minute at the end, so that handlers still sleeping let the system's scope close.
 */
export const withSystem = <A, E>(effect: Effect.Effect<A, E, AgentSystem | EventStore | Scope.Scope>) =>
  effect.pipe(
    Effect.ensuring(TestClock.adjust("1 minute")),
    Effect.provide(
      Layer.mergeAll(
        AgentSystem.layerWith({ root: { intensity: { maxRestarts: 100, within: "1 minute" } } }),
        Layer.orDie(EventStore.layerMemory())
      )
    )
  )
