/** Shared helpers of the OTP conformance suite (simulated time only). */
import { Effect, Layer, Schema } from "effect"
import { TestClock } from "effect/testing"
import { Agent, AgentSystem, type AgentSystemOptions } from "../../src/agent/index.ts"
import { Registry } from "../../src/registry/index.ts"

/** Lets every runnable fiber run to its next suspension. */
export const settle = Effect.gen(function* () {
  for (let i = 0; i < 50; i++) yield* Effect.yieldNow
})

/** An agent system with a registry, on the test's clock. */
export const systemLayer = (options: AgentSystemOptions = {}) =>
  AgentSystem.layerWith(options).pipe(Layer.provideMerge(Registry.layer))

/**
 * TestClock caveat (effect 4.1): the first `Effect.sleep` in a finalizer of an interrupted fiber
 * can return early. Advancing the clock once before a shutdown test takes that first sleep out.
 */
export const primeClock = TestClock.adjust("1 millis")

export const Ping = Agent.request("Ping", {}, Schema.String)
export const Boom = Agent.message("Boom", {})
export const Add = Agent.message("Add", { by: Schema.Number })
export const Total = Agent.request("Total", {}, Schema.Number)
export const Messages = Schema.Union([Ping, Boom, Add, Total])

/** A worker that answers `Ping`, sums `Add`s, and crashes on `Boom`. */
export const worker = (
  name: string,
  supervision?: Agent.AgentDefinition<number, typeof Messages.Type>["supervision"]
) =>
  Agent.make({
    name,
    messages: Messages,
    initial: () => 0,
    handle: (total: number, msg, ctx) => {
      switch (msg._tag) {
        case "Ping":
          ctx.reply(msg, "pong")
          return total
        case "Boom":
          throw new Error(`${ctx.self.id} boom`)
        case "Add":
          return total + msg.by
        case "Total":
          ctx.reply(msg, total)
          return total
      }
    },
    ...(supervision === undefined ? {} : { supervision })
  })
